"""Clockify Workspace API v1 models: workspaces, their settings, memberships, users and enums.

Field names and shapes follow Clockify's API documentation (https://docs.clockify.me/; cited
below by section, such as ``"Workspace > Get workspace info"``, whose response is the
workspace these models describe; a model is named by its field in that response). Fields are
snake_case; the JSON names are their camelCase forms. Every field the documented sample shows
is declared, so the test suite's
strict decoding fails on drift (an unknown field).

The models are tolerant readers: Clockify's OpenAPI description marks every property of a
workspace, its settings, memberships and rates optional, and real answers leave many out. So a
field is required only where the object means nothing without it (a workspace's ``id``, a
membership's ``user_id``, a currency's ``id``); every other field is ``None`` (or an empty list)
when absent or ``null``. A field that is present with the wrong type is still a ``DecodeError``
naming it. Every closed value set is a :class:`~timeclients._decode.TolerantEnum`: a value the
document does not list still decodes (``.known`` is then ``False``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from .._decode import TolerantEnum
from ..errors import TimeClientsError

__all__ = [
    "AutomaticLock",
    "AutomaticLockType",
    "BulkResult",
    "CreationPermission",
    "Currency",
    "CurrencyFormat",
    "DurationFormat",
    "EntityCreationPermissions",
    "FeatureSubscriptionType",
    "Membership",
    "MembershipStatus",
    "MembershipType",
    "NumberFormat",
    "OlderThanPeriod",
    "Rate",
    "Role",
    "RoundSettings",
    "RoundingMode",
    "Subdomain",
    "TimeTrackingMode",
    "UserStatus",
    "Weekday",
    "Workspace",
    "WorkspaceSettings",
    "WorkspaceUser",
]


class Role(TolerantEnum):
    """A user's role in a workspace: the ``roles`` filter of ``GET /workspaces``
    ("Workspace > Get all my workspaces")."""

    WORKSPACE_ADMIN = "WORKSPACE_ADMIN"
    OWNER = "OWNER"
    TEAM_MANAGER = "TEAM_MANAGER"
    PROJECT_MANAGER = "PROJECT_MANAGER"


class MembershipStatus(TolerantEnum):
    """The status of a membership (the workspace response) and of a user in a workspace
    ("User > Find all users on workspace").

    ``users.set_status`` accepts only ``ACTIVE`` and ``INACTIVE``
    ("Workspace > Update user's status");
    ``users.list`` also accepts the filter value ``"ALL"``, which is not a status.
    """

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    INACTIVE = "INACTIVE"


class MembershipType(TolerantEnum):
    """What a membership is of: the workspace itself, a project, or a user group
    (the workspace response)."""

    WORKSPACE = "WORKSPACE"
    PROJECT = "PROJECT"
    USERGROUP = "USERGROUP"


class FeatureSubscriptionType(TolerantEnum):
    """The workspace's plan (the workspace response); live values such as ``STANDARD_2021``
    still decode."""

    FREE = "FREE"
    BASIC = "BASIC"
    PREMIUM = "PREMIUM"
    ENTERPRISE = "ENTERPRISE"


class CurrencyFormat(TolerantEnum):
    """Where the currency sign goes (``workspaceSettings``)."""

    CURRENCY_SPACE_VALUE = "CURRENCY_SPACE_VALUE"
    VALUE_SPACE_CURRENCY = "VALUE_SPACE_CURRENCY"


class DurationFormat(TolerantEnum):
    """How durations are shown (``workspaceSettings``)."""

    FULL = "FULL"
    COMPACT = "COMPACT"
    DECIMAL = "DECIMAL"


class NumberFormat(TolerantEnum):
    """Thousands and decimal separators (``workspaceSettings``)."""

    COMMA_PERIOD = "COMMA_PERIOD"
    PERIOD_COMMA = "PERIOD_COMMA"
    SPACE_PERIOD = "SPACE_PERIOD"
    SPACE_COMMA = "SPACE_COMMA"


class TimeTrackingMode(TolerantEnum):
    """How members may track time (``workspaceSettings``)."""

    DEFAULT = "DEFAULT"
    STOPWATCH_ONLY = "STOPWATCH_ONLY"
    MANUAL_ONLY = "MANUAL_ONLY"


class Weekday(TolerantEnum):
    """A day of the week (``workspaceSettings.automaticLock``; ``workingDays`` of
    ``workspaceSettings``)."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class OlderThanPeriod(TolerantEnum):
    """The unit of an ``OLDER_THAN`` automatic lock (``workspaceSettings.automaticLock``)."""

    DAYS = "DAYS"
    WEEKS = "WEEKS"
    MONTHS = "MONTHS"


class AutomaticLockType(TolerantEnum):
    """When time entries lock automatically (``workspaceSettings.automaticLock``)."""

    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    OLDER_THAN = "OLDER_THAN"


class CreationPermission(TolerantEnum):
    """Who may create projects, clients, tags or tasks
    (``workspaceSettings.entityCreationPermissions``)."""

    EVERYONE = "EVERYONE"
    ADMINS = "ADMINS"


class RoundingMode(TolerantEnum):
    """How report times are rounded (``workspaceSettings.round``)."""

    NEAREST = "Round to nearest"
    UP = "Round up"
    DOWN = "Round down"


class UserStatus(TolerantEnum):
    """A Clockify account's status in ``GET /workspaces/{id}/users`` (Clockify's public docs)."""

    ACTIVE = "ACTIVE"
    PENDING_EMAIL_VERIFICATION = "PENDING_EMAIL_VERIFICATION"
    DELETED = "DELETED"
    NOT_REGISTERED = "NOT_REGISTERED"
    LIMITED = "LIMITED"
    LIMITED_DELETED = "LIMITED_DELETED"


@attrs.frozen
class Rate:
    """An hourly or cost rate (``costRate``, ``hourlyRate``): ``amount`` in the currency's minor
    unit (cents).

    Clockify sends membership rates with an ``amount`` and no ``currency`` (the workspace's
    default currency then applies): both are ``None`` when absent.
    """

    amount: int | None = None
    currency: str | None = None


@attrs.frozen(kw_only=True)
class Currency:
    """A currency configured in the workspace (``currencies``)."""

    id: str
    code: str | None = None
    is_default: bool | None = None


@attrs.frozen(kw_only=True)
class Membership:
    """One membership of a user: in the workspace, a project or a group
    (``memberships``, the workspace response).

    ``target_id`` is the id of what the membership is of (the workspace id for ``WORKSPACE``).
    The rates are ``None`` where no rate is set on this membership.
    """

    user_id: str
    cost_rate: Rate | None = None
    hourly_rate: Rate | None = None
    membership_status: MembershipStatus | None = None
    membership_type: MembershipType | None = None
    target_id: str | None = None


@attrs.frozen
class Subdomain:
    """The workspace's subdomain (``subdomain``)."""

    enabled: bool | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class AutomaticLock:
    """Automatic locking of old time entries (``workspaceSettings.automaticLock``)."""

    change_day: Weekday | None = None
    day_of_month: int | None = None
    first_day: Weekday | None = None
    older_than_period: OlderThanPeriod | None = None
    older_than_value: int | None = None
    type: AutomaticLockType | None = None


@attrs.frozen(kw_only=True)
class EntityCreationPermissions:
    """Who may create projects and clients, tags, and tasks
    (``workspaceSettings.entityCreationPermissions``)."""

    who_can_create_projects_and_clients: CreationPermission | None = None
    who_can_create_tags: CreationPermission | None = None
    who_can_create_tasks: CreationPermission | None = None


@attrs.frozen
class RoundSettings:
    """Rounding in reports (``workspaceSettings.round``); ``minutes`` arrives as a string
    (``"15"``): an int."""

    minutes: int | None = None
    round: RoundingMode | None = None


@attrs.frozen(kw_only=True)
class WorkspaceSettings:
    """The workspace's settings (``workspaceSettings``; sample in
    "Workspace > Get all my workspaces").

    ``admin_only_pages`` is sent as a JSON array inside a string (the sample of
    "Workspace > Get all my workspaces"); the live service also sends a real array. Both read
    as a ``list[str]``. Every setting is optional:
    real workspaces leave many out (``activeBillableHours``, ``durationFormat``,
    ``onlyAdminsCanChangeBillableStatus`` were absent from every recording we checked); an
    absent setting is ``None``, "not said", which is not the same as ``False``.
    """

    active_billable_hours: bool | None = None
    admin_only_pages: list[str] = attrs.field(factory=list)
    automatic_lock: AutomaticLock | None = None
    can_see_time_sheet: bool | None = None
    can_see_tracker: bool | None = None
    currency_format: CurrencyFormat | None = None
    default_billable_projects: bool | None = None
    duration_format: DurationFormat | None = None
    entity_creation_permissions: EntityCreationPermissions | None = None
    force_description: bool | None = None
    force_projects: bool | None = None
    force_tags: bool | None = None
    force_tasks: bool | None = None
    is_project_public_by_default: bool | None = None
    lock_time_entries: datetime | None = None
    lock_time_zone: str | None = None
    multi_factor_enabled: bool | None = None
    number_format: NumberFormat | None = None
    only_admins_can_change_billable_status: bool | None = None
    only_admins_create_project: bool | None = None
    only_admins_create_tag: bool | None = None
    only_admins_create_task: bool | None = None
    only_admins_see_all_time_entries: bool | None = None
    only_admins_see_billable_rates: bool | None = None
    only_admins_see_dashboard: bool | None = None
    only_admins_see_public_projects_entries: bool | None = None
    project_favorites: bool | None = None
    project_grouping_label: str | None = None
    project_label: str | None = None
    project_picker_special_filter: bool | None = None
    round: RoundSettings | None = None
    task_label: str | None = None
    time_rounding_in_reports: bool | None = None
    time_tracking_mode: TimeTrackingMode | None = None
    track_time_down_to_second: bool | None = None
    working_days: list[Weekday] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class Workspace:
    """A Clockify workspace, as every workspace endpoint returns it (the workspace response).

    ``features`` is kept as strings: the documentation calls them flags (the workspace response,
    ``features``) and the live service adds more.
    """

    cake_organization_id: str | None = None
    cost_rate: Rate | None = None
    currencies: list[Currency] = attrs.field(factory=list)
    feature_subscription_type: FeatureSubscriptionType | None = None
    features: list[str] = attrs.field(factory=list)
    hourly_rate: Rate | None = None
    id: str
    image_url: str | None = None
    memberships: list[Membership] = attrs.field(factory=list)
    name: str | None = None
    subdomain: Subdomain | None = None
    workspace_settings: WorkspaceSettings | None = None

    def _membership_of(self, user_id: str) -> Membership | None:
        # "Workspace > Update user's cost rate" and "... hourly rate": a user-specific rate is
        # the user's WORKSPACE membership
        # of this workspace; project memberships (targetId = a project) do not count. A
        # membership that leaves out its type or target still counts when the rest says so.
        for membership in self.memberships:
            if membership.user_id != user_id:
                continue
            kind, target = membership.membership_type, membership.target_id
            if (kind == MembershipType.WORKSPACE and target in (self.id, None)) or (
                kind is None and target == self.id
            ):
                return membership
        return None

    def _default_currency(self) -> str | None:
        for currency in self.currencies:
            if currency.is_default and currency.code:
                return currency.code
        return None

    def _rate_for(self, user_rate: Rate | None, default: Rate | None) -> Rate | None:
        # A rate without an amount says nothing: the workspace default applies. A rate without
        # a currency is in the workspace's (its default rate's, else its default currency).
        rate = user_rate if user_rate is not None and user_rate.amount is not None else default
        if rate is None or rate.amount is None:
            return None
        if rate.currency is None:
            currency = default.currency if default is not None else None
            currency = currency or self._default_currency()
            if currency is not None:
                return Rate(rate.amount, currency)
        return rate

    def hourly_rate_for(self, user_id: str) -> Rate | None:
        """The user's billable rate in this workspace, else the workspace default, else None.

        A rate that came without an amount counts as absent; one without a currency gets the
        workspace's (from its default rate, else its default currency) when that is known.
        """
        membership = self._membership_of(user_id)
        own = membership.hourly_rate if membership is not None else None
        return self._rate_for(own, self.hourly_rate)

    def cost_rate_for(self, user_id: str) -> Rate | None:
        """The user's cost rate in this workspace, else the workspace default, else None.

        Absent amounts and currencies are handled as by :meth:`hourly_rate_for`.
        """
        membership = self._membership_of(user_id)
        own = membership.cost_rate if membership is not None else None
        return self._rate_for(own, self.cost_rate)


@attrs.frozen(kw_only=True)
class WorkspaceUser:
    """A member from ``GET /workspaces/{id}/users`` ("User > Find all users on workspace").

    That shape is not in our specification document, so every field but ``id`` is optional
    and fields we do not declare are ignored even under strict decoding (for this class only).
    ``settings`` and ``custom_fields`` are kept as the raw JSON objects.
    """

    id: str
    email: str | None = None
    name: str | None = None
    status: UserStatus | None = None
    active_workspace: str | None = None
    default_workspace: str | None = None
    profile_picture: str | None = None
    memberships: list[Membership] = attrs.field(factory=list)
    settings: dict[str, Any] | None = None
    custom_fields: list[dict[str, Any]] | None = None


@attrs.frozen(kw_only=True)
class BulkResult:
    """What a bulk rate update did with every user.

    ``workspace`` is the workspace as the *last* successful response returned it: a bulk job
    never keeps one workspace per item (a workspace can have thousands of memberships).

    An item the server answered 2xx is in ``succeeded`` even when the body of that answer did
    not decode: the rate was set (a single call would raise ``DecodeError`` with
    ``applied=True``). ``failed`` therefore lists only users whose rate was not set (or may not
    have been: a transport failure after retries), which are the ones to retry.
    """

    #: The user ids whose rate was set (answered 2xx), in the order of the input mapping.
    succeeded: list[str] = attrs.field(factory=list)
    #: The user ids whose rate was not set, with why.
    failed: dict[str, TimeClientsError] = attrs.field(factory=dict)
    # ``workspace=``: a Workspace, None, or a function that finds it. A bulk call passes the
    # function: the answer it keeps is parsed and structured the first time ``workspace`` is
    # read, never by the call itself, so a job's cost per item does not grow with the size of
    # the workspace every answer carries (most callers never read it). Not compared: two
    # results are equal when they accounted for the same items the same way.
    _workspace: Workspace | Callable[[], Workspace | None] | None = attrs.field(
        default=None, alias="workspace", repr=False, eq=False
    )
    _found: list[Workspace | None] = attrs.field(factory=list, init=False, repr=False, eq=False)

    @property
    def workspace(self) -> Workspace | None:
        """The workspace from the last successful response that decodes, or ``None`` when
        nothing succeeded or no kept answer decodes (decoded on first read, then kept)."""
        source = self._workspace
        if not callable(source):
            return source
        found = self._found
        if not found:
            found.append(source())
        return found[0]

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed
