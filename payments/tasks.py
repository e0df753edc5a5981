from celery import shared_task


@shared_task
def release_expired_holds() -> int:
    from .services import holds_release_expired

    return holds_release_expired()
