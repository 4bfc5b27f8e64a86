from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("", views.front, name="front"),
    path("authors/<slug:author_slug>/", views.author, name="author"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("<slug:section_slug>/", views.section, name="section"),
    path("<slug:section_slug>/<slug:slug>/", views.article, name="article"),
    path("<slug:section_slug>/<slug:slug>/print/", views.article_print, name="article_print"),
]
