"""The users `bench.load` sends against `shokei serve` (Locust; started by bench/load.py, which
writes the set-up it found into the JSON file named by SHOKEI_LOAD_SETUP).

Each request is named by its group (`page: ...`, `api: ...`, `upload`, `download`) so the
figures come out per group. Officials read pages and the API; a supplier hands in 5 MiB files;
the successor downloads the copies it received (the demo data releases none: then the supplier
downloads the files it handed in, which stream through the same decrypting vault).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from typing import Any

import pyotp
from locust import HttpUser, between, task

SETUP: dict[str, Any] = json.loads(open(os.environ["SHOKEI_LOAD_SETUP"], encoding="utf-8").read())  # noqa: SIM115
CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
SEARCH_WORDS = ("図面", "drawing", "仕様", "steel", "試験", "report")
UPLOAD_BYTES = 5 * 1024 * 1024


class _Signed(HttpUser):
    abstract = True
    username = ""  # the demo account whose API token the user's API reads carry

    def login_form(self) -> dict[str, str]:
        return {"username": self.username, "password": SETUP["passwords"][self.username]}

    workstations = itertools.count(1)

    def on_start(self) -> None:
        number = next(_Signed.workstations)
        # each user's own address (bench/load.py trusts loopback as the proxy that names it)
        self.client.headers["X-Forwarded-For"] = f"10.{number // 250}.{number % 250}.1"
        self.token = SETUP["tokens"][self.username]
        self.api = {"Authorization": f"Bearer {self.token}"}
        page = self.client.get("/login", name="page: login")
        found = CSRF.search(page.text)
        form = {**self.login_form(), "next": "/"}
        if found:
            form["csrf_token"] = found.group(1)
        with self.client.post(
            "/login", data=form, name="page: login", headers={"Origin": self.host}, catch_response=True
        ) as response:
            if response.url.split("?")[0].endswith("/login"):
                response.failure("not logged in")

    def page(self, path: str, name: str) -> None:
        """A page, counted as failed when it answers with the login form (the session was lost)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.ok and response.url.split("?")[0].endswith("/login"):
                response.failure("sent to the login form")


class Official(_Signed):
    """A program manager: dashboards, case lists and pages, search, API reads."""

    weight = 20
    wait_time = between(1, 3)
    username = "manager"
    accounts = itertools.count()

    def login_form(self) -> dict[str, str]:
        """Each official logs in to the page side with an account of its own (password and TOTP
        code); its API reads carry the demo manager's token."""
        account = SETUP["officials"][next(Official.accounts) % len(SETUP["officials"])]
        code = pyotp.TOTP(account["totp_secret"]).now()
        return {"username": account["username"], "password": account["password"], "code": code}

    @task(4)
    def dashboard(self) -> None:
        self.page("/", "page: dashboard")

    @task(3)
    def case_list(self) -> None:
        self.page(f"/cases?page={random.randint(1, 3)}", "page: case list")

    @task(4)
    def case_page(self) -> None:
        self.page(f"/cases/{random.choice(SETUP['cases'])}", "page: case")

    @task(2)
    def search(self) -> None:
        word = random.choice(SEARCH_WORDS)
        self.client.get("/api/v1/documents/search", params={"q": word}, headers=self.api, name="api: search")

    @task(3)
    def api_cases(self) -> None:
        self.client.get("/api/v1/cases", headers=self.api, name="api: case list")

    @task(3)
    def api_case(self) -> None:
        case = random.choice(SETUP["cases"])
        self.client.get(f"/api/v1/cases/{case}", headers=self.api, name="api: case")

    @task(2)
    def api_companies(self) -> None:
        self.client.get("/api/v1/companies", headers=self.api, name="api: companies")


class Negotiator(_Signed):
    """The negotiator of the case in negotiation, recording offers (a write: a row and a ledger
    entry in one transaction)."""

    weight = 2
    wait_time = between(3, 8)
    username = "negotiator"

    def on_start(self) -> None:
        """API only: the negotiator's writes go through its token (its page log-in would need
        a TOTP account of its own, which the officials' pool already exercises)."""
        self.api = {"Authorization": f"Bearer {SETUP['tokens'][self.username]}"}

    @task
    def offer(self) -> None:
        if SETUP.get("negotiating_case") is None:
            return
        body = {"amount_yen": random.randint(1, 500) * 100_000, "kind": "offer", "note": "負荷試験"}
        path = f"/api/v1/cases/{SETUP['negotiating_case']}/offers"
        self.client.post(path, json=body, headers=self.api, name="api: offer")


class Supplier(_Signed):
    """The supplier of a case open for files, handing in one 5 MiB file at a time."""

    weight = 2
    wait_time = between(5, 10)
    username = "supplier"

    documents: list[int]

    def on_start(self) -> None:
        super().on_start()
        self.documents = []

    @task
    def upload(self) -> None:
        if SETUP.get("upload_case") is None:
            return
        body = os.urandom(UPLOAD_BYTES)  # incompressible and never a duplicate
        files = {"file": (f"drawing-{random.getrandbits(32):08x}.bin", body, "application/octet-stream")}
        response = self.client.post(
            f"/api/v1/cases/{SETUP['upload_case']}/files", files=files, headers=self.api, name="upload 5 MiB"
        )
        if response.ok:
            self.documents += [document["id"] for document in response.json()["documents"]]

    @task(2)
    def download(self) -> None:
        if SETUP.get("copies") or not self.documents:
            return
        document = random.choice(self.documents)
        with self.client.get(
            f"/api/v1/documents/{document}/content", headers=self.api, name="download 5 MiB", stream=True
        ) as response:
            for _ in response.iter_content(1 << 20):
                pass


class Successor(_Signed):
    """The successor, downloading the copies released to it."""

    weight = 1
    wait_time = between(2, 5)
    username = "successor"

    @task
    def download(self) -> None:
        if not SETUP.get("copies"):
            return
        copy = random.choice(SETUP["copies"])
        with self.client.get(
            f"/api/v1/copies/{copy}/content", headers=self.api, name="download copy", stream=True
        ) as response:
            for _ in response.iter_content(1 << 20):
                pass
