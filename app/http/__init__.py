"""HTTP plumbing around the API: security headers (`headers`), rate limits (`ratelimit`),
request logs (`logs`) and the gunicorn hooks (`gunicorn_hooks`)."""
