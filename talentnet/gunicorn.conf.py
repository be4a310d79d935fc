"""gunicorn's configuration, the one place the production web server is set up (Dockerfile
and docker-compose.yml run `gunicorn -c talentnet/gunicorn.conf.py talentnet.wsgi`).

- The access log goes to stdout with no token-bearing path (issue 17, item 7): password
  reset keys, confirmation keys, unsubscribe tokens, certificate codes and every query
  value are redacted by core.logredact, the same rule as Django's own request logs.
- The `Server: gunicorn` header stays: gunicorn has no setting for it (its maintainers
  declined one, benoitc/gunicorn#825) and replacing its response class would patch the
  library. The TLS proxy in front of it (deploy/nginx/talentnet.conf.template) drops the
  header: tests/scaleout/test_proxy.py.
"""

from gunicorn.glogging import Logger

bind = "0.0.0.0:8000"
workers = 4
timeout = 30
accesslog = "-"


class RedactingLogger(Logger):
    """gunicorn's logger whose access-log atoms carry no secret path or query value."""

    PATH_ATOMS = ("U", "f", "{referer}i", "{raw_uri}e", "{path_info}e", "{request_uri}e")

    def setup(self, cfg):
        """The error log ("Error handling request /path") is redacted the same way."""
        from core.logredact import RedactPathsFilter

        super().setup(cfg)
        if not any(isinstance(f, RedactPathsFilter) for f in self.error_log.filters):
            self.error_log.addFilter(RedactPathsFilter())

    def atoms(self, resp, req, environ, request_time):
        from core.logredact import redact_path, redact_query, redact_text

        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact_text(atoms["r"])
        atoms["q"] = redact_query(atoms.get("q") or "")
        atoms["{query_string}e"] = atoms["q"]
        for name in self.PATH_ATOMS:
            if name in atoms:
                atoms[name] = redact_path(atoms[name])
        return atoms


logger_class = RedactingLogger
