"""Rendering of the summaries: the Jinja environment and the HTML/PDF glue (`documents`), the
PDF renderer processes (`worker`), the fetcher that lets them read only bundled assets
(`fetcher`) and the render slots shared by the processes of a server (`slots`); and a State's
reporting deadlines as an iCalendar feed (`calendar`)."""
