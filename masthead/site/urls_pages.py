from django.urls import path, register_converter

from . import pages as views
from .converters import SectionSlugConverter

register_converter(SectionSlugConverter, "section")

app_name = "publishing"

urlpatterns = [
    path("", views.front, name="front"),
    path("authors/<slug:author_slug>/", views.author, name="author"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("<section:section_slug>/", views.section, name="section"),
    path("<section:section_slug>/<slug:slug>/", views.article, name="article"),
    path("<section:section_slug>/<slug:slug>/print/", views.article_print, name="article_print"),
]
