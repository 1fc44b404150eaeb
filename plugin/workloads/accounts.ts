/**
 * Deterministic test accounts: private key i is keccak256("hardhat-parallel" ++ seed ++ i),
 * so a workload is the same on every machine without storing keys.
 */
import { Address, bytesToUnprefixedHex, privateToAddress, utf8ToBytes, concatBytes, intToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

export interface TestAccount {
  privateKey: Uint8Array;
  address: Address;
  /** 40 lowercase hex chars, no 0x (the engine's address form). */
  hex: string;
}

export function testAccounts(count: number, seed = 1): TestAccount[] {
  const out: TestAccount[] = [];
  const prefix = utf8ToBytes(`hardhat-parallel/${seed}/`);
  for (let i = 0; i < count; i++) {
    const privateKey = keccak_256(concatBytes(prefix, intToBytes(i)));
    const address = new Address(privateToAddress(privateKey));
    out.push({ privateKey, address, hex: bytesToUnprefixedHex(address.bytes) });
  }
  return out;
}
