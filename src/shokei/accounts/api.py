from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from shokei.accounts import services
from shokei.accounts.schemas import UserView
from shokei.api_support import ActorDep, UowDep
from shokei.kernel.bounds import Title

router = APIRouter(prefix="/users", tags=["accounts"])


class NewUser(BaseModel):
    username: Title
    role: Title
    company: Title | None = None
    email: Title | None = None


class CreatedUser(BaseModel):
    username: Title
    role: Title
    password: Title


@router.get("/me")
def whoami(actor: ActorDep) -> dict[str, object]:
    return {"username": actor.username, "role": actor.role.value, "company_id": actor.company_id}


@router.get("")
def list_users(uow: UowDep, actor: ActorDep) -> list[UserView]:
    return services.list_users(uow, actor)


@router.post("", status_code=201)
def add_user(data: NewUser, uow: UowDep, actor: ActorDep) -> CreatedUser:
    credential = services.add_user(
        uow, actor, data.username, data.role, company=data.company, email=data.email
    )
    return CreatedUser(username=credential.username, role=data.role, password=credential.secret)
