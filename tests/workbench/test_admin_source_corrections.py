"""An article's outlet, URL, byline or date changed in the admin is a source correction, as from the
workbench's "Edit source details": audited (who, before, after), and the brief citing it gets a revision."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from articles.models import Article, Outlet, SourceCorrection
from briefs.models import Revision
from briefs.services import brief_add_claim, brief_get_or_create


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-long-enough-1")


def _admin_form(client: Client, article: Article) -> dict:
    """The change form's fields as the admin page fills them in (what a user who changes nothing posts)."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="root")
    model_admin = admin.site._registry[Article]
    form = model_admin.get_form(request, article)(instance=article)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name == "published_at":
            data["published_at_0"], data["published_at_1"] = (
                field.widget.widgets[0].format_value(value),
                field.widget.widgets[1].format_value(value),
            )
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def test_an_admin_edit_of_outlet_and_url_is_recorded_as_a_source_correction(root, built):
    client = Client()
    client.force_login(root)
    article = built.articles[0]
    brief_add_claim(brief_get_or_create(built.story), built.claims["agreed"], user=None)  # cites article 0
    gazette = Outlet.objects.create(name="Harbour Gazette")
    data = _admin_form(client, article) | {
        "outlet": gazette.pk,
        "url": "https://www.harbour-gazette.example/krause",
        "title": "Acting IRS chief to resign (admin-edited title)",
    }

    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Source details corrected" in page and "recorded as a source correction" in page
    article.refresh_from_db()
    assert article.outlet == gazette and article.url == "https://www.harbour-gazette.example/krause"
    assert article.title == "Acting IRS chief to resign (admin-edited title)"  # the rest saved as usual
    [correction] = SourceCorrection.objects.filter(article=article)
    assert correction.username == "root"
    assert set(correction.changes) == {"outlet", "url"}
    assert correction.changes["outlet"] == ["Outlet A", "Harbour Gazette"]
    revision = Revision.objects.filter(brief__story=built.story).order_by("-number").first()
    assert revision.action.startswith("Source of “") and "Harbour Gazette" in revision.action
    assert "Harbour Gazette" in [s["outlet"] for s in revision.snapshot["items"][0]["sources"]]


def test_an_admin_edit_of_other_fields_records_no_correction(root, built):
    client = Client()
    client.force_login(root)
    article = built.articles[1]
    data = _admin_form(client, article) | {"title": "A new title only"}
    client.post(reverse("admin:articles_article_change", args=[article.pk]), data, follow=True)
    article.refresh_from_db()
    assert article.title == "A new title only"
    assert not SourceCorrection.objects.exists()


def test_an_admin_date_change_is_recorded_with_the_date(root, built):
    client = Client()
    client.force_login(root)
    article = built.articles[2]
    data = _admin_form(client, article) | {"published_at_0": "2025-04-08", "published_at_1": "14:30:00"}
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data, follow=True)
    assert "Source details corrected" in response.content.decode()
    [correction] = SourceCorrection.objects.filter(article=article)
    assert list(correction.changes) == ["published_at"]
    assert correction.changes["published_at"][1] == "2025-04-08T14:30:00+00:00"
