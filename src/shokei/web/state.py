"""What the web shell keeps for the life of the app (on `app.state.web`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from shokei.web.config import WebSettings
from shokei.web.lockout import LoginThrottle
from shokei.web.registry import FeaturePages
from shokei.web.sessions import RevokedSessions
from shokei.web.templating import Templates


@dataclass
class WebState:
    settings: WebSettings
    templates: Templates
    features: list[FeaturePages]
    throttle: LoginThrottle
    revoked: RevokedSessions
    clock: Callable[[], float]


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state
