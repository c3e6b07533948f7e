// Hang diagnosis: names the stalled units from UNIT_STATUS and TOKENS.
#pragma once
#include <cstdint>
#include <string>

namespace hwgen {

// One line naming the stalled units, the token counts they wait for and the queue states.
std::string diagnose(uint32_t unit_status, uint32_t tokens);

// STATUS says the program ended: DONE or ERROR.
bool finished_status(uint32_t status);

}  // namespace hwgen
