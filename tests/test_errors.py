"""The error tree: the hierarchy API.md draws, and built-in bases users already catch."""

from __future__ import annotations

import pytest

from timeclients import errors


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (errors.ConfigurationError, ValueError),
        (errors.ValidationError, ValueError),
        (errors.EntryNotVisibleError, errors.BadRequestError),
        (errors.SubscriptionRequiredError, errors.PaymentRequiredError),
        (errors.NoSeatsAvailableError, errors.PermissionDeniedError),
        (errors.ClockedOutError, errors.NotFoundError),
        (errors.AlreadyMemberError, errors.ConflictError),
        (errors.RateLimitedError, errors.APIError),
        (errors.ServerError, errors.APIError),
        (errors.APIError, errors.TimeClientsError),
        (errors.TransportError, errors.TimeClientsError),
        (errors.DecodeError, errors.TimeClientsError),
    ],
)
def test_hierarchy(child: type, parent: type) -> None:
    """Every class sits where the contract draws it."""
    assert issubclass(child, parent)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (402, errors.PaymentRequiredError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (429, errors.RateLimitedError),
        (500, errors.ServerError),
        (504, errors.ServerError),
        (418, errors.APIError),
    ],
)
def test_status_table(status: int, cls: type) -> None:
    """Statuses map to their classes."""
    assert errors.error_class_for_status(status) is cls


def test_api_error_attributes() -> None:
    """APIError carries status, method, path, message, body and retry_after."""
    exc = errors.RateLimitedError(
        "slow down", status=429, method="GET", path="/x", body="{}", retry_after=2.0
    )
    assert (exc.status, exc.method, exc.path, exc.message, exc.body, exc.retry_after) == (
        429,
        "GET",
        "/x",
        "slow down",
        "{}",
        2.0,
    )
    assert str(exc) == "429 (GET /x): slow down"


def test_validation_error_names_argument_and_rule() -> None:
    """ValidationError says which argument broke which rule."""
    exc = errors.ValidationError("amount", "must be an integer >= 0")
    assert exc.argument == "amount"
    assert "amount" in str(exc)


def test_docstring_draws_the_tree() -> None:
    """The module docstring draws every class of the tree."""
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        if name != "error_class_for_status":
            assert name in doc
