"""The only URL fetcher the PDF renderer uses: bundled assets and `data:` URIs, nothing else."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)


class AssetsOnlyFetcher(URLFetcher):
    """Refuses every URL except `data:` and files inside the bundled assets folder."""

    def __init__(self, assets_dir: Path, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False,
                         timeout=1, **kwargs)
        self.assets_dir = assets_dir.resolve()
        self.refused: list[str] = []

    def allows(self, url: str) -> bool:
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return True
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parsed.path)).resolve()
        return path.is_file() and path.is_relative_to(self.assets_dir)

    def fetch(self, url: str, headers: Any = None):
        if not self.allows(url):
            self.refused.append(url[:200])
            log.warning("renderer refused to fetch %s", url[:200])
            raise ValueError(f"fetching {url[:80]!r} is not allowed")
        return super().fetch(url, headers)
