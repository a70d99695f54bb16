from django.urls import path

from articles import views_jobs
from articles.views import importing, sources, stories

urlpatterns = [
    path("", stories.home, name="home"),
    path("stories/", stories.story_list, name="story_list"),
    path("stories/new/", stories.story_create_view, name="story_create"),
    path("stories/<slug:slug>/", stories.story_detail, name="story_detail"),
    path("stories/<slug:slug>/articles/<int:article_id>/", stories.article_text, name="article_text"),
    path(
        "stories/<slug:slug>/articles/<int:article_id>/source/",
        sources.article_source_details,
        name="article_source_details",
    ),
    path("stories/<slug:slug>/claims/<int:claim_id>/", stories.claim_evidence, name="claim_evidence"),
    path("stories/<slug:slug>/analysis/", stories.story_rerun_analysis_view, name="story_rerun_analysis"),
    path("stories/<slug:slug>/jobs/", views_jobs.job_status, name="story_jobs"),
    path("stories/<slug:slug>/import/", importing.story_import, name="story_import"),
    path("stories/<slug:slug>/import/<int:batch_id>/", importing.import_batch, name="import_batch"),
]
