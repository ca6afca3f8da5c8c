import pytest
from tests.factories import PASSWORD
from accounts.roles import Role

@pytest.mark.django_db
def test_show(client, make_user):
    u = make_user(Role.OFFICER)
    client.login(username=u.email, password=PASSWORD)
    r = client.get("/manage/audit/", follow=True)
    html = r.content.decode()
    print(r.redirect_chain)
    print(html[html.index("<main"):html.index("</main>")+7])
