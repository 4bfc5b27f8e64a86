from django.contrib import admin
from django.urls import include, path, re_path

from masthead.core import views as core_views

admin.site.site_header = "Masthead newsroom"
admin.site.site_title = "Masthead"
admin.site.index_title = "Newsroom"

handler404 = "masthead.core.views.page_not_found"
handler500 = "masthead.core.views.server_error"

# Reader pages first: most requests are for them, and section slugs never take a name the site's
# other pages use (publishing.converters), so trying them first hides nothing.
urlpatterns = [
    path("", include("masthead.publishing.urls")),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("masthead.accounts.urls")),
    re_path(r"^media/(?P<path>.*)$", core_views.media, name="media"),
    path("", include("masthead.subscriptions.urls")),
    path("", include("masthead.payments.urls")),
    path("", include("masthead.syndication.urls")),
]
