"""Who may buy a product, and if not, why: the one answer the product page shows and the
basket and order placing enforce on the server."""

from __future__ import annotations

from accounts.policy import Action, can
from events.eligibility import Refusal
from memberships.years import membership_year_for, year_label
from pricing.buyers import Buyer

from .models import Product


def purchase_refusal(product: Product, *, user, buyer: Buyer) -> Refusal | None:
    """None when `user`, acting for `buyer.school`, may buy `product`; otherwise why not.
    `buyer` comes from pricing.buyers.buyer_for (membership and held products loaded)."""
    if not product.is_active:
        return Refusal("not_on_sale", "This is no longer on sale.")
    if product.membership_year < membership_year_for(buyer.on):
        return Refusal("year_ended", f"This is for {year_label(product.membership_year)}, which has ended.")
    school = buyer.school
    if user is None or not user.is_authenticated or school is None:
        return Refusal(
            "log_in",
            "Packages and services are bought by schools: log in with your school's account to buy.",
        )
    if not can(user, Action.BUY_PACKAGES, school):
        return Refusal(
            "role_cannot_buy",
            "Your role cannot buy packages. Ask your school's key user or business manager.",
        )
    # No non-member price means members only (the admin's help text says so): never sell it to
    # a non-member at the member price.
    if (product.members_only or product.non_member_price is None) and not buyer.is_member:
        return Refusal("members_only", "Members only: this is for partnership member schools.")
    if product.haringey_only and not buyer.is_haringey:
        return Refusal("haringey_only", "Only for Haringey settings.")
    if (product.pk, product.membership_year) in buyer.held_products:
        return Refusal(
            "already_held",
            f"{school.name} already has this for {year_label(product.membership_year)}.",
        )
    return None
