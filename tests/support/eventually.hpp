#pragma once

#include <chrono>
#include <thread>

namespace ambient::test {

/// Polls `pred` every `step` until it holds or `timeout` has passed; returns its last answer.
/// For things that must happen: it returns as soon as they do, so the timeout is only a bound.
template <class Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds timeout = std::chrono::seconds{20},
                std::chrono::milliseconds step = std::chrono::milliseconds{50}) {
  for (auto deadline = std::chrono::steady_clock::now() + timeout;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(step))
    if (pred())
      return true;
  return pred();
}

} // namespace ambient::test
