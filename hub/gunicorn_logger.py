"""Gunicorn's logger with secrets masked in access and error lines (see hub/logs.py)."""

from gunicorn.glogging import Logger

from hub.logs import RedactSecretsFilter


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(RedactSecretsFilter())
