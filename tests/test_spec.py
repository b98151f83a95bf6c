"""Every vendor's declared VendorSpec is what its client does: names, URLs, variables, limits."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from types import ModuleType

import pytest

from timeclients import HttpPool
from timeclients._base import BaseClient
from timeclients._spec import VendorSpec

PACKAGE = Path(__file__).resolve().parent.parent / "timeclients"
VENDORS = tuple(sorted(p.parent.name for p in PACKAGE.glob("*/_protocol.py")))
#: A credential every vendor's checks accept (no ':' and no control characters).
DUMMY_SECRET = "0123456789abcdef0123456789abcdef"


def protocol_of(vendor: str) -> ModuleType:
    return importlib.import_module(f"timeclients.{vendor}._protocol")


def client_class(vendor: str) -> type[BaseClient]:
    """The one ``BaseClient`` subclass the vendor package exports."""
    package = importlib.import_module(f"timeclients.{vendor}")
    found = [
        obj
        for name in package.__all__
        if inspect.isclass(obj := getattr(package, name)) and issubclass(obj, BaseClient)
    ]
    assert len(found) == 1, f"{vendor} exports {found}"
    return found[0]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No vendor variable from the developer's shell reaches these tests."""
    for vendor in VENDORS:
        spec = protocol_of(vendor).SPEC
        for name in (spec.base_url_env, *spec.credential_envs):
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_spec_names_its_vendor_and_its_client_reads_it(vendor: str) -> None:
    """``SPEC.name`` is the package's name, and the client's ``spec`` is that very object."""
    spec = protocol_of(vendor).SPEC
    assert isinstance(spec, VendorSpec)
    assert spec.name == vendor
    assert client_class(vendor).spec is spec


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_client_signature_shows_the_spec_defaults(vendor: str) -> None:
    """``base_url=`` and ``rate_limit=`` default to the spec's URL (https) and limit."""
    spec = protocol_of(vendor).SPEC
    parameters = inspect.signature(client_class(vendor)).parameters
    assert parameters["base_url"].default == spec.default_base_url
    assert spec.default_base_url.startswith("https://")
    assert parameters["rate_limit"].default == spec.rate_limit


@pytest.mark.anyio
@pytest.mark.parametrize("vendor", VENDORS)
async def test_the_client_reads_the_spec_variables(
    vendor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no arguments the client takes its credential and base URL from the variables its
    spec names, and says where the credential came from."""
    spec = protocol_of(vendor).SPEC
    monkeypatch.setenv(spec.credential_envs[0], DUMMY_SECRET)
    monkeypatch.setenv(spec.base_url_env, "http://127.0.0.1:9/api")
    async with HttpPool() as pool, client_class(vendor)(pool=pool) as client:
        assert client.base_url == "http://127.0.0.1:9/api"
        assert client.auth != "anonymous"
        assert DUMMY_SECRET not in repr(client)


@pytest.mark.anyio
@pytest.mark.parametrize("vendor", VENDORS)
async def test_an_explicit_base_url_wins_over_the_variable(
    vendor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``base_url=`` passed on purpose (even the default's text) beats the spec's variable."""
    spec = protocol_of(vendor).SPEC
    monkeypatch.setenv(spec.credential_envs[0], DUMMY_SECRET)
    monkeypatch.setenv(spec.base_url_env, "http://127.0.0.1:9/api")
    explicit = str(spec.default_base_url)
    async with HttpPool() as pool, client_class(vendor)(pool=pool, base_url=explicit) as client:
        assert client.base_url == explicit
