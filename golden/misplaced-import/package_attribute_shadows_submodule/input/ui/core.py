class App:
    def reset(self) -> None:
        pass


app = App()
