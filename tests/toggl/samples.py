"""The Toggl v8 document's response samples, verbatim but for the obfuscated addresses."""

from __future__ import annotations

from typing import Any

# "[email protected]" in copies of Toggl's samples is an obfuscator artefact: an address.
EMAIL = "john@example.com"

USER_FIELDS: dict[str, Any] = {
    "id": 9000,
    "api_token": "1971800d4d82861d8f2c1651fea4d212",
    "default_wid": 777,
    "email": EMAIL,
    "fullname": "John Swift",
    "jquery_timeofday_format": "h:i A",
    "jquery_date_format": "m/d/Y",
    "timeofday_format": "h:mm A",
    "date_format": "MM/DD/YYYY",
    "store_start_and_stop_time": True,
    "beginning_of_week": 0,
    "language": "en_US",
    "image_url": "https://www.toggl.com/system/avatars/9000/small/open-uri20121116-2767-b1qr8l.png",
    "sidebar_piechart": False,
    "at": "2013-03-06T12:18:42+00:00",
    "retention": 9,
    "record_timeline": True,
    "render_timeline": True,
    "timeline_enabled": True,
    "timeline_experiment": True,
}


def me_plain() -> dict[str, Any]:
    """GET /me without related data."""
    return {
        "since": 1362575771,
        "data": {**USER_FIELDS, "new_blog_post": {}, "invitation": {}},
    }


def me_related() -> dict[str, Any]:
    """GET /me?with_related_data=true (the sample has no ``invitation``)."""
    return {
        "since": 1362575771,
        "data": {
            **USER_FIELDS,
            "new_blog_post": {
                "title": "Increasing perceived performance with _.throttle()",
                "url": "http://blog.toggl.com/2013/02/increasing-perceived-performance-with-"
                "_throttle/?utm_source=rss&utm_medium=rss&utm_campaign=increasing-perceived-"
                "performance-with-_throttle",
            },
            "time_entries": [
                {
                    "id": 435559433,
                    "wid": 777,
                    "billable": False,
                    "start": "2013-03-06T10:08:23+00:00",
                    "stop": "2013-03-06T14:08:23+00:00",
                    "duration": 14400,
                    "description": "Best work so far",
                    "tags": [""],
                    "at": "2013-03-06T14:08:23+00:00",
                }
            ],
            "projects": [
                {
                    "id": 1230994,
                    "wid": 777,
                    "name": "Important project",
                    "billable": False,
                    "active": False,
                    "at": "2013-03-06T09:13:31+00:00",
                    "color": "5",
                }
            ],
            "tags": [
                {
                    "id": 159637,
                    "wid": 188309,
                    "name": "billable",
                    "at": "2013-02-21T14:57:46+00:00",
                },
                {
                    "id": 159654,
                    "wid": 188309,
                    "name": "important",
                    "at": "2013-02-22T14:06:17+00:00",
                },
            ],
            "workspaces": [
                {"id": 777, "name": "John's WS", "premium": True, "at": "2013-03-06T09:00:30+00:00"}
            ],
            "clients": [
                {"id": 923476, "wid": 777, "name": "Best client", "at": "2013-03-06T09:00:30+00:00"}
            ],
        },
    }


def put_me() -> dict[str, Any]:
    """PUT /me's successful response."""
    return {
        "data": {
            "id": 123123123,
            "api_token": "1971800d4d82861d8f2c1651fea4d212",
            "default_wid": 777,
            "email": EMAIL,
            "fullname": "John Smith",
            "jquery_timeofday_format": "h:i A",
            "jquery_date_format": "d.m.Y",
            "timeofday_format": "h:mm A",
            "date_format": "DD.MM.YYYY",
            "store_start_and_stop_time": True,
            "beginning_of_week": 1,
            "language": "en_US",
            "image_url": "https://www.toggl.com/system/avatars/9000/small/open-uri20121116-2767-b1qr8l.png",
            "sidebar_piechart": False,
            "at": "2013-08-12T11:55:58+03:00",
            "retention": 9,
            "record_timeline": True,
            "render_timeline": True,
            "timeline_enabled": True,
            "timeline_experiment": True,
            "new_blog_post": {},
            "timezone": "Europe/Tallinn",
            "openid_enabled": True,
            "send_product_emails": True,
            "send_weekly_report": True,
            "send_timer_notifications": True,
            "invitation": {},
        }
    }


def signup() -> dict[str, Any]:
    """POST /signups' successful response (the sample carries no ``api_token``)."""
    return {
        "data": {
            "id": 599978901,
            "default_wid": 983493,
            "email": "test@example.com",
            "fullname": "Test User",
            "jquery_timeofday_format": "",
            "jquery_date_format": "",
            "timeofday_format": "",
            "date_format": "",
            "store_start_and_stop_time": False,
            "beginning_of_week": 0,
            "sidebar_piechart": False,
            "timeline_experiment": False,
            "new_blog_post": {},
            "invitation": {},
        }
    }
