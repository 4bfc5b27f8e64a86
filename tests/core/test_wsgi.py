"""The production WSGI application hands whole pages over at once and leaves streams alone."""

import io
import sys

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    # As Django's test client does: a request must not close the connection holding the test's transaction.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call(path: str, **extra):
    from masthead.wsgi import application

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    environ.update(extra)
    started = {}
    body = application(environ, lambda status, headers, exc_info=None: started.update(status=status))
    return started["status"], body


def test_a_page_is_one_bytes_object_and_its_response_is_closed(make_article):
    article = make_article(headline="Whole pages at once")
    closed = []
    from django.core.signals import request_finished

    def on_finished(**kwargs):
        closed.append(True)

    request_finished.connect(on_finished)
    try:
        status, body = call(article.get_absolute_url())
    finally:
        request_finished.disconnect(on_finished)
    assert status == "200 OK"
    assert isinstance(body, list) and len(body) == 1
    assert b"Whole pages at once" in body[0]
    assert closed  # what a server's close() would have done, done


def test_a_streamed_file_stays_a_stream(settings, tmp_path):
    settings.MASTHEAD_SERVE_MEDIA = True
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    status, body = call("/media/photo.jpg")
    assert status == "200 OK"
    assert not isinstance(body, list)
    assert b"".join(body) == b"\xff\xd8 not really a jpeg"
    body.close()


def test_a_file_handed_to_the_servers_file_wrapper_stays_with_it(settings, tmp_path):
    settings.MASTHEAD_SERVE_MEDIA = True
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8 wrapped")

    class FileWrapper:  # what gunicorn offers as wsgi.file_wrapper
        def __init__(self, file, block_size):
            self.file = file

        def __iter__(self):
            return iter([self.file.read()])

        def close(self):
            self.file.close()

    status, body = call("/media/photo.jpg", **{"wsgi.file_wrapper": FileWrapper})
    assert status == "200 OK"
    assert isinstance(body, FileWrapper)
    assert b"".join(body) == b"\xff\xd8 wrapped"
    body.close()
