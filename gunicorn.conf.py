# Read by gunicorn from the directory it starts in (make serve, the logs test).
logger_class = "hub.gunicorn_logger.RedactingLogger"
