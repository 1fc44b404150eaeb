/**
 * eth_subscribe on the parallel network delivers the EIP-1193 `message`
 * events (and the legacy `notification` ones) Hardhat's in-process network
 * delivers: new heads, logs one per event, pending transaction hashes, and
 * nothing after eth_unsubscribe.
 */
import { expect } from "chai";
import hre from "hardhat";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import { GAS, deployToken, normalize, onBoth, recordBlocks, tick, tokenInterface } from "../helpers/two-networks";
import type { Net } from "../helpers/two-networks";

interface Message {
  type: string;
  data: { subscription: string; result: unknown };
}

async function subscriptionScript(net: Net) {
  const messages: Message[] = [];
  const notifications: unknown[] = [];
  net.provider.on("message", (m) => messages.push(m as Message));
  net.provider.on("notification", (n) => notifications.push(n));
  const [a0, a1] = await net.call<string[]>("eth_accounts");
  const transfer = tokenInterface().getEvent("Transfer")!.topicHash;
  const ids = {
    heads: await net.call<string>("eth_subscribe", "newHeads"),
    pending: await net.call<string>("eth_subscribe", "newPendingTransactions"),
    logs: await net.call<string>("eth_subscribe", "logs", {}),
    transfers: await net.call<string>("eth_subscribe", "logs", { topics: [transfer] }),
  };
  const token = await deployToken(net, a0);
  await net.call("eth_sendTransaction", { from: a0, to: token, data: tokenInterface().encodeFunctionData("batchMint", [[a0, a1], 7n]), ...GAS });
  await tick();
  await recordBlocks(net, 1);
  const errors = {
    logsWithoutFilter: await net.rpc("eth_subscribe", "logs"),
    unknownType: await net.rpc("eth_subscribe", "foo"),
    noType: await net.rpc("eth_subscribe"),
    // A filter id is not a subscription: eth_unsubscribe refuses it, and the other way round.
    unsubscribeFilter: await net.rpc("eth_unsubscribe", await net.call("eth_newBlockFilter")),
    uninstallSubscription: await net.rpc("eth_uninstallFilter", ids.heads),
  };
  const unsubscribed = [await net.rpc("eth_unsubscribe", ids.heads), await net.rpc("eth_unsubscribe", ids.heads)];
  const before = messages.length;
  await net.call("evm_mine");
  await tick();
  const afterUnsubscribe = messages.slice(before).map((m) => m.data.subscription);
  // Heads: compare block numbers and the fields present; hashes differ between the networks.
  const heads = messages
    .filter((m) => m.data.subscription === ids.heads)
    .map((m) => {
      const block = m.data.result as Record<string, unknown>;
      return { number: block.number, transactions: block.transactions, keys: Object.keys(block).sort() };
    });
  const others = messages.filter((m) => m.data.subscription !== ids.heads).map((m) => normalize(net, m));
  return { ids, heads, others, errors, unsubscribed, afterUnsubscribe, notifications: notifications.length, messages: messages.length };
}

describe("subscriptions on the parallel network, as on Hardhat's", function () {
  before(async function () {
    await hre.run("compile", { quiet: true });
  });

  it("emits the same message events as Hardhat's network", async function () {
    const { edr, parallel } = await onBoth(subscriptionScript);
    expect(parallel.ids).to.deep.equal(edr.ids);
    expect(parallel.errors).to.deep.equal(edr.errors);
    expect(parallel.unsubscribed).to.deep.equal([true, false]);
    expect(parallel.unsubscribed).to.deep.equal(edr.unsubscribed);
    // Two heads, two pending hashes, deploy log + two mints on "logs", two mints on "transfers".
    expect(edr.heads.map((h) => h.number)).to.deep.equal(["0x1", "0x2"]);
    expect(parallel.heads).to.deep.equal(edr.heads);
    expect(edr.others).to.have.length(7);
    expect(parallel.others).to.have.deep.members(edr.others as unknown[]);
    // One legacy notification per message; nothing for the removed subscription, still heads for none.
    expect(parallel.notifications).to.equal(parallel.messages);
    expect(parallel.afterUnsubscribe).to.deep.equal(edr.afterUnsubscribe);
  });

  it("reaches listeners through the wrappers Hardhat puts around the in-process provider (added before it starts)", async function () {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { LazyInitializationProviderAdapter } = require("hardhat/internal/core/providers/lazy-initialization");
    const { BackwardsCompatibilityProviderAdapter } = require("hardhat/internal/core/providers/backwards-compatibility");
    const { applyProviderWrappers } = require("hardhat/internal/core/providers/construction");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const parallel = await createParallelNetwork(hre.network.config as never, hre.config.parallel, hre.artifacts);
    try {
      // As plugin/hardhat/network.ts installs it.
      const wrapped = new LazyInitializationProviderAdapter(async () => new BackwardsCompatibilityProviderAdapter(applyProviderWrappers(parallel, hre.network.config, [])));
      const messages: Message[] = [];
      wrapped.on("message", (m: Message) => messages.push(m));
      const id = await wrapped.request({ method: "eth_subscribe", params: ["newHeads"] });
      await wrapped.request({ method: "evm_mine", params: [] });
      await tick();
      expect(messages.map((m) => [m.type, m.data.subscription, (m.data.result as { number: string }).number])).to.deep.equal([["eth_subscription", id, "0x1"]]);
    } finally {
      await parallel.close();
    }
  });
});
