class FlashinferCombineInput:
    pass


class FlashinferDispatchOutput:
    pass
