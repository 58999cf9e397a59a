from typing import TYPE_CHECKING

# the combine input, twice
from app.dispatch.flashinfer import FlashinferCombineInput

if TYPE_CHECKING:
    from app.dispatch import (
        StandardCombineInput,
        StandardDispatchOutput,
    )
    from app.dispatch.flashinfer import (
        FlashinferCombineInput,
        FlashinferDispatchOutput,
    )


def later():
    from app.dispatch.flashinfer import FlashinferDispatchOutput

    print("not beside: the name is needed right here")
    from app.dispatch.flashinfer import FlashinferDispatchOutput

    return FlashinferDispatchOutput, FlashinferCombineInput
