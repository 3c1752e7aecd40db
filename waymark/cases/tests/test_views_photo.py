"""A child's photo: uploaded only as a real image, served only to people who may see the case.
(Metadata, sealing, erasure and size limits: test_finding_9_photos.py.)"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from waymark.cases.models import Child
from waymark.test import create_case, login


def png(size=(40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case(people):
    return create_case(people.giulia, case={"guardian": "marco"})


def upload(client, case, content: bytes, name="photo.png", content_type="image/png"):
    return client.post(
        reverse("child_photo", args=[case.public_id]),
        {"photo": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_giulia_uploads_a_photo_and_it_is_shown_on_the_case(client, people, media, case):
    login(client, people.giulia)
    response = upload(client, case, png())
    assert response.status_code == 302
    child = Child.objects.get(pk=case.child_id)
    assert child.photo.name.endswith(".sealed")
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert f'src="{reverse("child_photo", args=[case.public_id])}"' in html
    assert "/media/" not in html


def test_a_file_that_is_not_an_image_is_refused(client, people, media, case):
    login(client, people.giulia)
    response = upload(client, case, b"%PDF-1.4 not a photo", name="photo.png")
    assert response.status_code == 422
    assert response.context["form"].errors["photo"] == ["the file is not an image (JPEG, PNG or WebP)"]
    assert not Child.objects.get(pk=case.child_id).photo


def test_the_photo_is_served_only_to_people_who_may_see_the_case(client, people, media, case):
    login(client, people.giulia)
    upload(client, case, png())
    url = reverse("child_photo", args=[case.public_id])

    for person in (people.giulia, people.sara, people.marco):
        login(client, person)
        response = client.get(url)
        assert response.status_code == 200, person
        with Image.open(io.BytesIO(response.content)) as img:
            assert (img.format, img.size, img.getpixel((0, 0))) == ("PNG", (40, 40), (200, 120, 40))
        assert response["Content-Type"] == "image/png"
        assert "no-store" in response["Cache-Control"]

    for person in (people.claire, people.luc, people.ivan):
        login(client, person)
        assert client.get(url).status_code == 404, person
        assert upload(client, case, png()).status_code == 404, person

    client.logout()
    assert client.get(url).status_code == 302


def test_no_photo_is_a_404(client, people, media, case):
    login(client, people.giulia)
    assert client.get(reverse("child_photo", args=[case.public_id])).status_code == 404


def test_a_photo_whose_file_is_gone_is_a_404_not_an_error(client, people, media, case):
    login(client, people.giulia)
    upload(client, case, png())
    child = Child.objects.get(pk=case.child_id)
    (media / child.photo.name).unlink()
    assert client.get(reverse("child_photo", args=[case.public_id])).status_code == 404
