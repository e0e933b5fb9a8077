"""`make run`'s logins: the demo's ministry accounts come with their TOTP second factor (the
otpauth URI kept beside the password) and keep their passwords; companies' users have none; the
admin `shokei init` made has one and replaces its initial password at the first login."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from shokei.accounts import services as accounts
from shokei.bootstrap import ADMIN_USERNAME, Shokei, initialise
from shokei.clock import FixedClock
from shokei.demo.services import seed_demo
from shokei.errors import Unauthenticated
from shokei.kernel import COMPANY_BOUND_ROLES, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings


def _code(uri: str, clock: FixedClock) -> str:
    return pyotp.TOTP(parse_qs(urlsplit(uri).query)["secret"][0]).at(clock.at)


def test_the_demo_ministry_logins_come_with_their_second_factor(
    uow: UnitOfWork, tmp_path: Path, clock: FixedClock
) -> None:
    shokei = Shokei(Settings(data_dir=tmp_path / "var"), uow)
    made = initialise(shokei)
    sealer = shokei.sealer
    report = seed_demo(shokei, companies_count=80)
    assert made.admin_password is not None
    assert made.admin_otpauth is not None
    for name, (role, password) in report.logins.items():
        if Role(role) in COMPANY_BOUND_ROLES:
            assert name not in report.otpauth
            outcome = accounts.log_in(uow, name, password, sealer=sealer, ministry_needs_mfa=True)
        else:
            with pytest.raises(Unauthenticated):
                accounts.log_in(uow, name, password, sealer=sealer, ministry_needs_mfa=True)
            code = _code(report.otpauth[name], clock)
            outcome = accounts.log_in(uow, name, password, code, sealer=sealer, ministry_needs_mfa=True)
        assert outcome.username == name
        assert not outcome.must_change_password  # demo logins are for trying the system
    admin = accounts.log_in(
        uow,
        ADMIN_USERNAME,
        made.admin_password,
        _code(made.admin_otpauth, clock),
        sealer=sealer,
        ministry_needs_mfa=True,
    )
    assert admin.must_change_password
