"""The supervision board (督查看板): HTML pages for people, drawn from the API's own reads."""

from api.board.routes import router

__all__ = ["router"]
