import pytest

from accounts.tests.factories import UserFactory
from basket.models import Basket, BasketLine
from basket.services import basket_event_save, basket_merge, delegates_clean
from basket.tests.factories import add_event, add_product, basket_for
from catalogue.tests.factories import ProductFactory
from events.tests.factories import EventFactory
from portal.errors import InvalidInput, NotAllowed
from pricing.buyers import buyer_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("delegates", "code"),
    [
        ([{"name": "", "email": "a@x.example"}], "delegate_name"),
        ([{"name": "Ada", "email": "nope"}], "delegate_email"),
        (
            [{"name": "Ada", "email": "a@x.example"}, {"name": "Bo", "email": "A@X.example "}],
            "duplicate_delegate",
        ),
        ([], "no_delegates"),
    ],
)
def test_delegates_are_validated(delegates, code):
    with pytest.raises(InvalidInput) as caught:
        delegates_clean(delegates, event=EventFactory())
    assert caught.value.code == code


def test_delegates_are_tidied():
    [delegate] = delegates_clean(
        [{"name": "  Ada   Lovelace ", "email": " ADA@X.example "}], event=EventFactory()
    )
    assert (delegate.name, delegate.email) == ("Ada Lovelace", "ada@x.example")


def test_saving_an_event_again_replaces_its_delegates():
    user = UserFactory()
    event = EventFactory()
    basket = basket_for(user)
    buyer = buyer_for(user.school)
    basket_event_save(
        basket=basket, event=event, delegates=[{"name": "A", "email": "a@x.example"}], user=user, buyer=buyer
    )
    line = basket_event_save(
        basket=basket,
        event=event,
        delegates=[{"name": "B", "email": "b@x.example"}, {"name": "C", "email": "c@x.example"}],
        user=user,
        buyer=buyer,
    )
    assert BasketLine.objects.count() == 1
    assert line.quantity == 2 and [d.name for d in line.delegates.all()] == ["B", "C"]


def test_teacher_cannot_save_an_event():
    teacher = UserFactory(role="teacher")
    with pytest.raises(NotAllowed):
        basket_event_save(
            basket=basket_for(teacher),
            event=EventFactory(),
            delegates=[{"name": "T", "email": "t@x.example"}],
            user=teacher,
            buyer=buyer_for(teacher.school),
        )


def test_merge_keeps_the_guests_delegates_and_each_product_once():
    user = UserFactory()
    event, product = EventFactory(), ProductFactory()
    mine = basket_for(user)
    add_event(mine, event, [("Old", "old@x.example")])
    add_product(mine, product)
    guest = basket_for(session_key="s1")
    add_event(guest, event, [("New", "new@x.example"), ("Newer", "newer@x.example")])
    add_product(guest, product)
    other = EventFactory()
    add_event(guest, other, 1)

    basket_merge(source=guest, target=mine)

    assert not Basket.objects.filter(pk=guest.pk).exists()
    lines = BasketLine.objects.filter(basket=mine)
    assert lines.count() == 3
    assert [d.name for d in lines.get(event=event).delegates.all()] == ["New", "Newer"]
    assert lines.filter(product=product).count() == 1
