"""setup_demo's "log in at" names the address `make run` serves at, whatever HOST and PORT are."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, Story
from briefs.management.commands.setup_demo import DEMO_STORY_SLUG, DEMO_STORY_TITLE


def _setup_demo(tmp_path, **options) -> str:
    story = Story.objects.create(title=DEMO_STORY_TITLE, slug=DEMO_STORY_SLUG)
    Article.objects.create(  # already imported and analysed: the command only prints the accounts
        story=story,
        title="Seed",
        body="A seed article.",
        content_hash="0" * 64,
        source_format="text",
        source_name="seed.txt",
        analyzed_at=timezone.now(),
    )
    out = io.StringIO()
    call_command("setup_demo", seeds=str(tmp_path), password_file=str(tmp_path / "pw"), stdout=out, **options)
    return out.getvalue()


def test_the_login_address_follows_port(db, tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-123")
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.setenv("PORT", "9123")
    output = _setup_demo(tmp_path)
    assert "Demo accounts (log in at http://127.0.0.1:9123/):" in output
    assert "8000" not in output


def test_the_login_address_defaults_and_reads_every_interface_as_this_machine(db, tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-123")
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert "log in at http://127.0.0.1:8000/" in _setup_demo(tmp_path)
    Story.objects.all().delete()
    assert "log in at http://127.0.0.1:8080/" in _setup_demo(tmp_path, addrport="0.0.0.0:8080")
