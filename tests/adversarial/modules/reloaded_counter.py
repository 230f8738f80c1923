import modules.reload_state as state

state.COUNT += 3
