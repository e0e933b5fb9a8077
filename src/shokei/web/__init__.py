"""The web application: server-rendered pages (Jinja2 + htmx) over the same services as the API.

This package is the shell (sessions, CSRF, lockout, i18n, layout, static assets); each feature's
pages live in its own `pages.py` and `templates/` and are found through `shokei.web.registry`.
Importing this package is cheap (the CLI imports `shokei.web.secret` from `shokei init`).
"""
