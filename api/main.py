"""The ASGI entry point for uvicorn workers: `uvicorn --factory api.main:factory`."""

from __future__ import annotations

import os

from fastapi import FastAPI

from api.app import create_app
from api.services import Services
from api.settings import Settings


def factory() -> FastAPI:
    follow = os.environ.get("BAOBAO_FOLLOW", "1") == "1"
    watch = os.environ.get("BAOBAO_WATCH", "1") == "1"
    return create_app(Services(Settings.from_env()), follow=follow, watch=watch)
