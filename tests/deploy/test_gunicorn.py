"""config/deploy/gunicorn.conf.py: its access log keeps no query string and no referrer."""

import datetime
import runpy
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

CONF = Path(__file__).resolve().parents[2] / "config" / "deploy" / "gunicorn.conf.py"


def test_the_access_log_keeps_the_path_without_the_search(capsys):
    settings = runpy.run_path(str(CONF))
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", settings["access_log_format"])
    logger = Logger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/communes/?q=saint-etienne+camille+martin",
        "PATH_INFO": "/communes/",
        "QUERY_STRING": "q=saint-etienne+camille+martin",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://engagements.coorace.org/?q=camille+martin",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(0, 0, 5000))
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("127.0.0.1 [")
    assert line.endswith('"GET /communes/ HTTP/1.1" 200 1234 5ms')
    assert "camille" not in line and "q=" not in line
