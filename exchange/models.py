"""What a harvest of the public site keeps between runs (``exchange.harvest``).

- ``HarvestCursor``: where an unfinished listing stands, so that a run stopped halfway (a
  Ctrl-C, a kill, a crash) is continued by the next rather than started over;
- ``HarvestPage``: the validators (ETag, Last-Modified) of a list page harvested in full,
  for a conditional request next time, and where it led (its `links.next`).

Each is written in the same transaction as the petitions of its page.
"""

from django.db import models

MAX_URL = 2000  # characters of an address the archive keeps


class HarvestCursor(models.Model):
    """An unfinished listing (named by its first page's address) and the page to read next."""

    listing = models.CharField(max_length=MAX_URL, unique=True)
    next_url = models.CharField(max_length=MAX_URL)
    pages_done = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.listing} → {self.next_url}"


class HarvestPage(models.Model):
    """A list page harvested in full: its validators and the page it led to."""

    url = models.CharField(max_length=MAX_URL, unique=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_url = models.CharField(max_length=MAX_URL, blank=True)
    harvested_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.url
