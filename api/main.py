"""The ASGI entry point for uvicorn workers: `uvicorn --factory api.main:factory`."""

from __future__ import annotations

import os
import sys

from fastapi import FastAPI

from api.affinity import pin_server_process
from api.app import create_app
from api.collector import set_for_serving
from api.services import Services
from api.settings import Settings


def factory() -> FastAPI:
    settings = Settings.from_env()
    if settings.pin_cpu:
        # In each worker process, before it starts its threads.
        print(pin_server_process(), file=sys.stderr)
    follow = os.environ.get("BAOBAO_FOLLOW", "1") == "1"
    watch = os.environ.get("BAOBAO_WATCH", "1") == "1"
    app = create_app(Services(settings), follow=follow, watch=watch)
    set_for_serving()
    return app
