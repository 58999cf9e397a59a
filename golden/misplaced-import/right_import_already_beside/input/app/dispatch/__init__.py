class StandardCombineInput:
    pass


class StandardDispatchOutput:
    pass
