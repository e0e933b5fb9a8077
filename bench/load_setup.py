"""The load test's people and registry, made in the data directory and database the environment
names (SHOKEI_DATA_DIR, SHOKEI_DATABASE_URL): `python -m bench.load_setup OFFICIALS COMPANIES`
prints the officials' logins as JSON. Run by bench/load.py in a process of its own (it opens the
installation as every command does).

Every ministry account logs in with a TOTP code, and a code is accepted once per account and
30-second step (a replay is refused): 200 officials are 200 people, each with an account of its
own, made through the accounts' services rather than 2 × 200 commands."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import insert

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei, build, ensure_ready
from shokei.companies.domain import CorporateNumber
from shokei.companies.models import Company

PREFECTURES = ("北海道", "宮城県", "東京都", "神奈川県", "愛知県", "大阪府", "広島県", "福岡県")


def officials(app: Shokei, count: int) -> list[dict[str, str]]:
    """`count` program managers with argon2id passwords and sealed TOTP secrets, approved to read
    contents (the operator as the second person, as the demo does)."""
    admin = accounts.actor_for_username(app.uow, "admin")
    made = []
    for number in range(count):
        name = f"official{number:03d}"
        credential = accounts.add_user(app.uow, admin, name, "program_manager", must_change_password=False)
        uri = accounts.enroll_mfa(app.uow, admin, name, app.sealer)
        if not accounts.actor_for_username(app.uow, name).content_approved:
            accounts.approve_user(app.uow, None, name)
        secret = parse_qs(urlsplit(uri).query)["secret"][0]
        made.append({"username": name, "password": credential.secret, "totp_secret": secret})
    return made


def national_registry(app: Shokei, count: int) -> None:
    """`count` companies of every prefecture, most able, some not (the shapes the successor
    selection ranks and filters), inserted in bulk as an import of the registry would."""
    now = app.uow.clock.now()

    def company(n: int) -> dict[str, Any]:
        return {
            "corporate_number": CorporateNumber.from_base(f"{600_000_000_000 + n:012d}").value,
            "name": f"全国登録工業{n:06d}株式会社",
            "country": "JP",
            "industry": "manufacturing",
            "created_at": now,
            "prefecture": PREFECTURES[n % len(PREFECTURES)],
            "capabilities": ["machining", "welding"] if n % 3 else ["painting"],
            "capacity": n % 4,
            "financial_distress": n % 17 == 0,
            "security_compliant_until": None if n % 7 == 0 else date(2027, 12, 31),
            "foreign_share_percent": Decimal(n % 40),
            "foreign_share_country": "JP" if n % 11 else "CN",
        }

    with app.uow.transaction() as session:
        for start in range(0, count, 5000):
            rows = [company(n) for n in range(start, min(start + 5000, count))]
            session.connection().execute(insert(Company), rows)


def main() -> int:
    count, registry = int(sys.argv[1]), int(sys.argv[2])
    app = build()
    ensure_ready(app)
    made = officials(app, count)
    national_registry(app, registry)
    print(json.dumps(made))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
