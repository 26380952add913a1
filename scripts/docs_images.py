"""Render the page images shown in the README (docs/images/) from a throwaway SQLite database:
the demo data plus three real reports on resolution 2270, so the documents show real and demo
rows side by side. Run: .venv/bin/python scripts/docs_images.py (needs pdftoppm)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
AS_OF = "2026-11-29"
PAGES = {  # output name -> (kind, subject, pages)
    "resolution-2270": ("resolution", 2270, (1, 2)),
    "resolution-2356": ("resolution", 2356, (1,)),
    "state-jpn": ("state", "JPN", (1, 2)),
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/docs.sqlite3"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(ROOT))
        from app import create_app
        from app.auth import COMMAND_LINE
        from app.extensions import db
        from app.migrations import upgrade
        from app.rendering import documents as rendering
        from app.services import summaries
        from app.services.catalogue import load_catalogue
        from app.services.demo import load_demo
        from app.services.reports import backfill
        from tests.helpers import full_entry

        app = create_app()
        upgrade(app)
        with app.app_context():
            load_catalogue(db.session)
            load_demo(db.session)
            client = app.test_client()
            obligations = client.get("/api/v1/resolutions/2270").get_json()["obligations"]
            real = []
            for state, language, received, share in (("JPN", "en", "2016-05-20", 1.0),
                                                     ("FRA", "fr", "2016-06-10", 0.8),
                                                     ("KEN", "en", "2016-09-01", 0.4)):
                entries = [full_entry(o) for o in obligations]
                real.append({"state": state, "resolution": 2270, "language": language,
                             "reference": f"S/AC.49/2016/{state}", "dated": received,
                             "received_at": f"{received}T10:00:00Z",
                             "entries": entries[:max(1, round(share * len(entries)))]})
            backfill(db.session, COMMAND_LINE, real)
            import datetime as dt

            as_of = dt.date.fromisoformat(AS_OF)
            for name, (kind, subject, pages) in PAGES.items():
                context = summaries.build_context(db.session, kind, subject, as_of)
                html = rendering.render_html(summaries.TEMPLATES[kind], context)
                pdf, _ = rendering.render_pdf(html)
                path = Path(tmp) / f"{name}.pdf"
                path.write_bytes(pdf)
                for page in pages:
                    subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f",
                                    str(page), "-l", str(page), str(path),
                                    str(IMAGES / f"{name}-{page:02d}")], check=True)
                    print(f"docs/images/{name}-{page:02d}.png")


if __name__ == "__main__":
    main()
