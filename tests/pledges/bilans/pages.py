"""Reading the bilans' pages as a visitor does: text without tags, spaces made one (the
middleware's narrow no-break spaces too)."""

import re
from html import unescape


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return flat(unescape(re.sub(r"<[^>]+>", " ", html)))


def flat(text: str) -> str:
    return re.sub(r"[\s\u202f\u00a0]+", " ", text).strip()
