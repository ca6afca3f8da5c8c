import pytest

from core.models import Partnership


@pytest.mark.django_db
def test_home_page_names_the_partnership(client):
    p = Partnership.load()
    p.name = "Dudley Safeguarding People Partnership"
    p.save()
    response = client.get("/")
    assert response.status_code == 200
    assert "Dudley Safeguarding People Partnership" in response.content.decode()
