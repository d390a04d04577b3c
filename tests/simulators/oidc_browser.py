"""A scripted browser for OpenID Connect flows over real HTTP (cookies, redirects, forms)."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
RESIDENT = re.compile(r"name='resident' value='(\d{12})'")
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class Browser:
    """Keeps cookies per host like a browser; redirects are followed explicitly."""

    def __init__(self) -> None:
        self.client = httpx.Client(follow_redirects=False, timeout=20)

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, **kwargs: object) -> httpx.Response:
        return self.client.get(url, **kwargs)  # type: ignore[arg-type]

    def follow(self, response: httpx.Response, *, stop_at: str | None = None) -> httpx.Response:
        """Follow redirects; stop before requesting a URL starting with ``stop_at``."""
        for _hop in range(10):
            if not response.is_redirect:
                return response
            target = urljoin(str(response.url), response.headers["location"])
            if stop_at and target.startswith(stop_at):
                return response
            response = self.client.get(target)
        raise AssertionError("too many redirects")

    def choose_resident(
        self, page: httpx.Response, id_number: str | None = None, **extra: str
    ) -> httpx.Response:
        """Submit the provider's login page as the given (or first listed) resident."""
        text = page.text
        action = html.unescape(FORM_ACTION.search(text).group(1))  # type: ignore[union-attr]
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(text)}
        if id_number is None and "cancel" not in extra:
            id_number = RESIDENT.findall(text)[0]
        if id_number is not None:
            fields["resident"] = id_number
        fields |= extra
        return self.client.post(urljoin(str(page.url), action), data=fields)


def listed_residents(page: httpx.Response) -> list[str]:
    return RESIDENT.findall(page.text)
