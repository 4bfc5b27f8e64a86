from django.contrib import admin
from django.urls import include, path, re_path

from . import views

admin.site.site_header = "Masthead newsroom"
admin.site.site_title = "Masthead"
admin.site.index_title = "Newsroom"
# The app list with the boxes of the layers below on top (the leak monitor's last run), and the
# insights link.
admin.site.index_template = "admin/masthead_index.html"

# Reader pages first: most requests are for them, and section slugs never take a name the site's
# other pages use (site.converters), so trying them first hides nothing.
urlpatterns = [
    path("", include("masthead.site.urls_pages")),
    # Before the admin's own URLs, which would answer /admin/insights/ with their 404.
    path("admin/insights/", include("masthead.insights.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("masthead.site.urls_accounts")),
    re_path(r"^media/(?P<path>.*)$", views.media, name="media"),
    path("", include("masthead.site.urls_subscribe")),
    path("", include("masthead.payments.urls")),
    path("", include("masthead.syndication.urls")),
    path("", include("masthead.insights.urls_metrics")),
]

handler404 = "masthead.site.views.page_not_found"
handler500 = "masthead.site.views.server_error"
