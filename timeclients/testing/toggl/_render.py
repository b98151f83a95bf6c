"""Toggl v8's JSON: the user object with its related data, as documented.

Shapes follow Toggl's API v8 documentation, chapter "Users"
(https://github.com/toggl/toggl_api_docs/blob/master/chapters/users.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .._core import iso_offset
from ._state import DATE_FORMATS, RELATED, TIMEOFDAY_FORMATS, TogglUser

__all__ = ["user_json"]


def user_json(
    user: TogglUser, *, with_related: bool = False, since: datetime | None = None
) -> dict[str, Any]:
    """The documented user object ("Get current user data")."""
    data: dict[str, Any] = {
        "id": user.id,
        "api_token": user.api_token,
        "default_wid": user.default_wid,
        "email": user.email,
        "fullname": user.fullname,
        "jquery_timeofday_format": TIMEOFDAY_FORMATS.get(user.timeofday_format, ""),
        "jquery_date_format": DATE_FORMATS.get(user.date_format, ""),
        "timeofday_format": user.timeofday_format,
        "date_format": user.date_format,
        "store_start_and_stop_time": user.store_start_and_stop_time,
        "beginning_of_week": user.beginning_of_week,
        "language": user.language,
        "image_url": f"https://www.toggl.com/system/avatars/{user.id}/small/avatar.png",
        "sidebar_piechart": False,
        "at": iso_offset(user.at),
        "retention": 9,
        "record_timeline": False,
        "render_timeline": False,
        "timeline_enabled": False,
        "timeline_experiment": False,
        "new_blog_post": {},
        "timezone": user.timezone,
        "openid_enabled": False,
        "send_product_emails": user.send_product_emails,
        "send_weekly_report": user.send_weekly_report,
        "send_timer_notifications": user.send_timer_notifications,
        "invitation": {},
    }
    if with_related:
        # with_related_data=true adds the related lists; since keeps only objects changed
        # after it
        for name in RELATED:
            data[name] = [
                dict(item)
                for item in user.related[name]
                if since is None or datetime.fromisoformat(item["at"]) > since
            ]
    return data
