"""``python -m timeclients.cli``: the ``timeclients`` command."""

from . import console_main

console_main()
