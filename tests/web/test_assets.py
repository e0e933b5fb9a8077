"""Every asset ships in the package: vendored libraries match their record, nothing is fetched
from elsewhere, and every file the templates refer to exists."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from shokei.web.install import STATIC_DIR

SOURCE = Path(__file__).resolve().parents[2] / "src" / "shokei"
VENDOR = STATIC_DIR / "vendor"


def _recorded() -> list[list[str]]:
    lines = (VENDOR / "VERSIONS").read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


def test_vendored_files_match_their_recorded_hash() -> None:
    records = _recorded()
    assert [record[0] for record in records] == ["htmx.org", "swagger-ui-dist", "swagger-ui-dist", "redoc"]
    for package, version, name, sha256 in records:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), package
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == sha256, (
            f"{name} differs from VERSIONS"
        )


def test_templates_and_own_assets_reach_nothing_outside_the_site() -> None:
    own = [*SOURCE.glob("*/templates/**/*.html"), *STATIC_DIR.glob("css/*.css"), *STATIC_DIR.glob("js/*.js")]
    for path in own:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), (
            f"{path.name} refers to another site"
        )


def test_every_static_file_a_template_names_exists() -> None:
    for template in SOURCE.glob("*/templates/**/*.html"):
        for name in re.findall(r'"/static/([^"]+)"', template.read_text(encoding="utf-8")):
            assert (STATIC_DIR / name).is_file(), f"{template.name} names a missing /static/{name}"


def test_the_app_serves_the_assets(app: object) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)  # type: ignore[arg-type]
    names = (
        "vendor/htmx.min.js",
        "vendor/swagger-ui-bundle.js",
        "vendor/swagger-ui.css",
        "vendor/redoc.standalone.js",
        "js/shokei.js",
        "js/upload.js",
        "js/api-docs.js",
        "css/shokei.css",
        "favicon.svg",
    )
    for name in names:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["x-content-type-options"] == "nosniff"


def test_the_api_documentation_pages_name_only_shokei_assets(app: object) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)  # type: ignore[arg-type]
    for path, library in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'src="/static/vendor/{library}"' in response.text
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", response.text), path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "http" not in policy, "no other origin is allowed"
