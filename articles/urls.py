from django.urls import path

from articles import views

urlpatterns = [
    path("", views.story_list, name="home"),
    path("stories/", views.story_list, name="story_list"),
    path("stories/<slug:slug>/", views.story_detail, name="story_detail"),
]
