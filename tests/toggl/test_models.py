"""Toggl models against the document's samples, under the suite's strict decoding."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from timeclients.errors import DecodeError
from timeclients.toggl import Me, NewBlogPost, TimeEntry, User
from timeclients.toggl._protocol import MeEnvelope, UserEnvelope, decoder

from . import samples


def test_get_me_sample_decodes_every_field() -> None:
    """The plain GET /me sample decodes field by field; ``since`` is UTC, related lists None."""
    env = decoder.structure(samples.me_plain(), MeEnvelope)
    assert env.since == datetime(2013, 3, 6, 13, 16, 11, tzinfo=timezone.utc)
    user = env.data
    assert user.id == 9000
    assert user.api_token == "1971800d4d82861d8f2c1651fea4d212"
    assert user.default_wid == 777
    assert user.email == samples.EMAIL
    assert user.jquery_timeofday_format == "h:i A"
    assert user.timeofday_format == "h:mm A"
    assert user.date_format == "MM/DD/YYYY"
    assert user.store_start_and_stop_time is True
    assert user.beginning_of_week == 0
    assert user.language == "en_US"
    assert user.sidebar_piechart is False
    assert user.at == datetime(2013, 3, 6, 12, 18, 42, tzinfo=timezone.utc)
    assert (user.retention, user.record_timeline, user.render_timeline) == (9, True, True)
    assert (user.timeline_enabled, user.timeline_experiment) == (True, True)
    assert user.new_blog_post == NewBlogPost()
    assert user.invitation == {}
    assert user.time_entries is None
    assert user.projects is None
    assert user.tags is None
    assert user.workspaces is None
    assert user.clients is None


def test_related_data_sample_decodes_every_list() -> None:
    """The with_related_data sample yields its entry, project, tags, workspace and client."""
    user = decoder.structure(samples.me_related(), MeEnvelope).data
    assert user.new_blog_post.title == "Increasing perceived performance with _.throttle()"
    assert user.new_blog_post.url is not None
    assert user.new_blog_post.url.startswith("http://blog.toggl.com/2013/02/")
    assert user.invitation is None
    assert user.time_entries is not None
    (entry,) = user.time_entries
    assert entry.tags == [""]
    assert entry.duration == 14400
    assert entry.stop == datetime(2013, 3, 6, 14, 8, 23, tzinfo=timezone.utc)
    assert not entry.is_running
    assert user.projects is not None
    assert user.projects[0].color == "5"
    assert user.projects[0].active is False
    assert user.tags is not None
    assert [t.name for t in user.tags] == ["billable", "important"]
    assert user.workspaces is not None
    assert user.workspaces[0].name == "John's WS"
    assert user.workspaces[0].premium is True
    assert user.clients is not None
    assert user.clients[0].name == "Best client"


def test_put_me_sample_keeps_the_offset_and_reads_the_send_flags() -> None:
    """PUT /me's ``at`` keeps its +03:00 offset; timezone, openid and send_* flags are read."""
    user = decoder.structure(samples.put_me(), UserEnvelope).data
    assert user.at is not None
    assert user.at.utcoffset() == timedelta(hours=3)
    assert user.timezone == "Europe/Tallinn"
    assert user.openid_enabled is True
    assert (user.send_product_emails, user.send_weekly_report, user.send_timer_notifications) == (
        True,
        True,
        True,
    )


def test_signup_sample_without_api_token_decodes() -> None:
    """The signup sample has no api_token and empty format strings: both are accepted."""
    user = decoder.structure(samples.signup(), UserEnvelope).data
    assert user.api_token is None
    assert user.date_format == ""
    assert user.at is None
    assert user.timezone is None


def test_running_time_entry_has_negative_duration_and_no_stop() -> None:
    """A running entry (negative duration, no ``stop``) decodes and reports ``is_running``."""
    entry = decoder.structure(
        {
            "id": 1,
            "wid": 2,
            "billable": False,
            "start": "2024-05-01T09:00:00+02:00",
            "duration": -1714546800,
            "at": "2024-05-01T09:00:00+02:00",
        },
        TimeEntry,
    )
    assert entry.is_running
    assert entry.stop is None
    assert entry.tags is None


def test_api_token_is_not_in_repr() -> None:
    """``repr(User)`` (and so ``repr(Me)``) never shows the API token."""
    data = samples.me_plain()
    env = decoder.structure(data, MeEnvelope)
    me = Me(since=env.since, user=env.data)
    token = data["data"]["api_token"]
    assert token not in repr(env.data)
    assert token not in repr(me)
    assert token not in str(me)


def test_missing_id_names_its_path() -> None:
    """A user without ``id`` (the one required field) is a DecodeError naming ``$.data.id``."""
    data = samples.put_me()
    del data["data"]["id"]
    with pytest.raises(DecodeError) as info:
        decoder.structure(data, UserEnvelope, method="PUT", path="/me")
    assert info.value.field == "$.data.id"
    assert info.value.applied is True


def test_wrong_type_in_related_list_names_its_path() -> None:
    """A tag whose ``id`` is not a number fails on ``$.data.tags[0].id``."""
    data = samples.me_related()
    data["data"]["tags"][0]["id"] = "not-a-number"
    with pytest.raises(DecodeError) as info:
        decoder.structure(data, MeEnvelope)
    assert info.value.field == "$.data.tags[0].id"


def test_undocumented_field_fails_only_strict_decoding(strict_mode: None) -> None:
    """An unknown user field fails the strict test converter (drift shows) but not production."""
    from timeclients._decode import set_strict_decoding

    data = samples.put_me()
    data["data"]["brand_new_flag"] = True
    with pytest.raises(DecodeError):
        decoder.structure(data, UserEnvelope)
    set_strict_decoding(False)
    try:
        user = decoder.structure(data, UserEnvelope).data
    finally:
        set_strict_decoding(True)
    assert isinstance(user, User)
