// SPDX-License-Identifier: MIT
/*
 * LendingPool: a multi-market, over-collateralized money market in the
 * spirit of Compound and Aave (written from scratch). Each listed ERC-20 is a
 * market: suppliers deposit it and receive supply shares that grow in value
 * as borrowers pay interest; borrowers take it against the value of
 * everything they supplied. Prices come from an IPriceOracle, interest rates
 * from a per-market IRateModel (KinkedRateModel).
 *
 * Accounting per market (all in the asset's base units):
 *   cash          tokens held and not lent out (tracked internally: tokens sent
 *                 to the pool without `supply` are ignored)
 *   totalBorrows  debt of all borrowers, interest included
 *   totalReserves protocol's share of the interest (part of cash + borrows)
 *   suppliers' assets A = cash + totalBorrows - totalReserves, owned by
 *   totalSupplyShares S; exchange rate A / S (1:1 for the first supply).
 *   A borrower's debt is principal * borrowIndex / (index at last action).
 *   Assets must move exactly the amounts asked (no fee-on-transfer or rebasing
 *   tokens).
 *
 * Interest: every user action first calls accrueInterest(asset). When the
 * market was already accrued in this block it does nothing, so only the first
 * action on a market in a block writes its index (intentional: the other
 * transactions of the block only read it). Otherwise simple interest over the
 * elapsed blocks: interest = totalBorrows * rate * blocks (rounded up),
 * totalBorrows += interest, totalReserves += interest * reserveFactor,
 * borrowIndex *= 1 + rate * blocks (rounded down). Rounding the interest up and
 * the index down keeps totalBorrows >= the sum of the individual debts.
 *
 * Collateral: every supplied asset counts as collateral at its market's
 * collateral factor (no enter/exit-market step). healthFactor =
 * sum(supply value * collateralFactor) / sum(debt value), 1e18-scaled; borrow
 * and withdraw (when the account has debt) must leave it >= 1e18, and below
 * 1e18 anyone may liquidate up to 50 % (CLOSE_FACTOR) of one debt, receiving
 * collateral supply shares worth repay * bonus. Health checks use the stored
 * state of the account's other markets (only the markets named in the call
 * are accrued first), like Compound.
 *
 * First-depositor (share inflation) guard: cash is internal accounting, so a
 * donation cannot move the exchange rate; shares are minted rounding down and
 * burnt rounding up, so A / S starts at 1 and only interest raises it. An
 * attacker therefore cannot inflate the price of a share to make a later
 * supply round to zero shares (a supply that would mint 0 shares reverts).
 *
 * Hotspots (slots many transactions write):
 *   - _markets[asset].cash / totalSupplyShares / totalBorrows: every supply,
 *     withdraw, borrow, repay and liquidation of that asset writes two of them,
 *     so all actions on one market conflict; different markets do not.
 *   - _markets[asset].totalReserves / borrowIndex / accrualBlockNumber: written
 *     only by the first action on the market in each block (accrual); every
 *     other action of the block reads them.
 *   - ReentrancyGuard._status (slot 1): every guarded call writes it (2, then
 *     back to 1). Its value at the end of each transaction is always 1, so a
 *     value-checking validator sees no conflict, but a write-set-based one sees
 *     every pair of pool transactions conflict.
 *   - Health checks (borrow, withdraw with debt, liquidation) READ the
 *     market totals and oracle prices of every market the account uses, so
 *     they depend on all writes to those markets and on price updates.
 *   - _positions[user][asset]: per account, hot only for one busy account;
 *     a liquidation also writes the liquidator's collateral position.
 *
 * Storage layout (solc 0.8.28; checked against the compiler's
 * `storageLayout` output and by test/contracts/lending/storage-layout.test.ts):
 *
 * | slot | variable    | type                                                    |
 * |------|-------------|---------------------------------------------------------|
 * | 0    | _owner      | address (Ownable)                                       |
 * | 1    | _status     | uint256 (ReentrancyGuard)                               |
 * | 2    | _markets    | mapping(address => Market)                              |
 * | 3    | _marketList | address[]                                               |
 * | 4    | _positions  | mapping(address => mapping(address => Position))        |
 *
 * Market struct at m = keccak256(abi.encode(asset, 2)):
 *
 * | slot  | field              | type                                          |
 * |-------|--------------------|-----------------------------------------------|
 * | m + 0 | rateModel          | address (bytes 0-19)                          |
 * | m + 0 | decimals           | uint8 (byte 20)                               |
 * | m + 0 | listed             | bool (byte 21)                                |
 * | m + 1 | collateralFactor   | uint256                                       |
 * | m + 2 | reserveFactor      | uint256                                       |
 * | m + 3 | liquidationBonus   | uint256                                       |
 * | m + 4 | cash               | uint256                                       |
 * | m + 5 | totalSupplyShares  | uint256                                       |
 * | m + 6 | totalBorrows       | uint256                                       |
 * | m + 7 | totalReserves      | uint256                                       |
 * | m + 8 | borrowIndex        | uint256                                       |
 * | m + 9 | accrualBlockNumber | uint256                                       |
 *
 * _marketList: length at slot 3, element i at keccak256(abi.encode(3)) + i.
 *
 * Position struct at p = keccak256(abi.encode(asset, keccak256(abi.encode(user, 4)))):
 *
 * | slot  | field           | type    |
 * |-------|-----------------|---------|
 * | p + 0 | supplyShares    | uint256 |
 * | p + 1 | borrowPrincipal | uint256 |
 * | p + 2 | borrowIndex     | uint256 |
 *
 * Immutable (in the code, no slot): oracle. Constants (no slot): WAD,
 * MAX_COLLATERAL_FACTOR, MAX_RESERVE_FACTOR, MIN_LIQUIDATION_BONUS,
 * MAX_LIQUIDATION_BONUS, CLOSE_FACTOR, MAX_MARKETS, MAX_DECIMALS.
 */
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IPriceOracle, IRateModel} from "./LendingInterfaces.sol";

/// @title Multi-market lending pool
/// @notice Supply assets to earn interest and use them as collateral; borrow against them;
///         liquidate unhealthy accounts.
contract LendingPool is Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice State and parameters of one market (one listed asset).
    struct Market {
        address rateModel;
        uint8 decimals;
        bool listed;
        uint256 collateralFactor;
        uint256 reserveFactor;
        uint256 liquidationBonus;
        uint256 cash;
        uint256 totalSupplyShares;
        uint256 totalBorrows;
        uint256 totalReserves;
        uint256 borrowIndex;
        uint256 accrualBlockNumber;
    }

    /// @notice One account's position in one market.
    struct Position {
        uint256 supplyShares;
        uint256 borrowPrincipal;
        uint256 borrowIndex;
    }

    /// @notice Which risk parameter an InvalidFactor error is about.
    enum Factor {
        Collateral,
        Reserve,
        LiquidationBonus
    }

    uint256 private constant WAD = 1e18;

    /// @notice Highest collateral factor a market may have (90 %).
    /// @dev With MAX_LIQUIDATION_BONUS it keeps collateralFactor * bonus < 1.
    uint256 public constant MAX_COLLATERAL_FACTOR = 0.9e18;
    /// @notice Highest reserve factor (100 % of the interest).
    uint256 public constant MAX_RESERVE_FACTOR = 1e18;
    /// @notice Lowest liquidation bonus (no bonus).
    uint256 public constant MIN_LIQUIDATION_BONUS = 1e18;
    /// @notice Highest liquidation bonus (10 %).
    uint256 public constant MAX_LIQUIDATION_BONUS = 1.1e18;
    /// @notice Largest fraction of one debt a single liquidation may repay (50 %).
    uint256 public constant CLOSE_FACTOR = 0.5e18;
    /// @notice Most markets the pool lists (bounds the health-check loop).
    uint256 public constant MAX_MARKETS = 16;
    /// @notice Most decimals a listed asset may have (keeps price arithmetic far from overflow).
    uint8 public constant MAX_DECIMALS = 36;

    /// @notice The price source used to value collateral and debt.
    IPriceOracle public immutable oracle;

    mapping(address asset => Market) private _markets;
    address[] private _marketList;
    mapping(address user => mapping(address asset => Position)) private _positions;

    // ----------------------------------------------------------------- events

    /// @notice A new market was listed.
    /// @param asset The market's token.
    /// @param rateModel Its interest-rate model.
    /// @param collateralFactor Its collateral factor, 1e18-scaled.
    /// @param reserveFactor Its reserve factor, 1e18-scaled.
    /// @param liquidationBonus Its liquidation bonus, 1e18-scaled.
    event MarketListed(
        address indexed asset,
        address rateModel,
        uint256 collateralFactor,
        uint256 reserveFactor,
        uint256 liquidationBonus
    );

    /// @notice The collateral factor of a market changed.
    /// @param asset The market's token.
    /// @param oldFactor The previous collateral factor.
    /// @param newFactor The new collateral factor.
    event CollateralFactorSet(address indexed asset, uint256 oldFactor, uint256 newFactor);

    /// @notice The reserve factor of a market changed.
    /// @param asset The market's token.
    /// @param oldFactor The previous reserve factor.
    /// @param newFactor The new reserve factor.
    event ReserveFactorSet(address indexed asset, uint256 oldFactor, uint256 newFactor);

    /// @notice The owner took reserves out of a market.
    /// @param asset The market's token.
    /// @param to Recipient of the tokens.
    /// @param amount Amount taken, in base units.
    event ReservesReduced(address indexed asset, address indexed to, uint256 amount);

    /// @notice `user` supplied `amount` of `asset` and received `shares` supply shares.
    /// @param user The supplier.
    /// @param asset The market's token.
    /// @param amount Tokens supplied, in base units.
    /// @param shares Supply shares minted.
    event Supply(address indexed user, address indexed asset, uint256 amount, uint256 shares);

    /// @notice `user` withdrew `amount` of `asset`, burning `shares` supply shares.
    /// @param user The supplier.
    /// @param asset The market's token.
    /// @param amount Tokens withdrawn, in base units.
    /// @param shares Supply shares burnt.
    event Withdraw(address indexed user, address indexed asset, uint256 amount, uint256 shares);

    /// @notice `user` borrowed `amount` of `asset`.
    /// @param user The borrower.
    /// @param asset The market's token.
    /// @param amount Tokens borrowed, in base units.
    event Borrow(address indexed user, address indexed asset, uint256 amount);

    /// @notice `payer` repaid `amount` of the `asset` debt of `borrower` (also emitted by liquidations).
    /// @param payer The account the tokens came from.
    /// @param borrower The account whose debt shrank.
    /// @param asset The market's token.
    /// @param amount Tokens repaid, in base units.
    event Repay(address indexed payer, address indexed borrower, address indexed asset, uint256 amount);

    /// @notice `liquidator` repaid part of the `debtAsset` debt of `borrower` and seized collateral shares.
    /// @param liquidator The account that repaid and received the shares.
    /// @param borrower The liquidated account.
    /// @param debtAsset The market whose debt was repaid.
    /// @param collateralAsset The market whose supply shares were seized.
    /// @param repayAmount Debt repaid, in `debtAsset` base units.
    /// @param seizedShares Supply shares of `collateralAsset` moved to the liquidator.
    /// @param seizedAmount Their value in `collateralAsset` base units at the current exchange rate.
    event Liquidate(
        address indexed liquidator,
        address indexed borrower,
        address indexed debtAsset,
        address collateralAsset,
        uint256 repayAmount,
        uint256 seizedShares,
        uint256 seizedAmount
    );

    /// @notice Interest was accrued on a market.
    /// @param asset The market's token.
    /// @param interest Interest added to the total borrows, in base units.
    /// @param borrowIndex The new borrow index, 1e18-scaled.
    /// @param totalBorrows The new total borrows.
    event InterestAccrued(address indexed asset, uint256 interest, uint256 borrowIndex, uint256 totalBorrows);

    // ----------------------------------------------------------------- errors

    /// @notice `asset` is not a listed market.
    /// @param asset The token given.
    error MarketNotListed(address asset);
    /// @notice `asset` is already a listed market.
    /// @param asset The token given.
    error MarketAlreadyListed(address asset);
    /// @notice The pool already lists MAX_MARKETS markets.
    /// @param max The limit.
    error TooManyMarkets(uint256 max);
    /// @notice A risk parameter is out of its allowed range.
    /// @param factor Which parameter.
    /// @param value The rejected value.
    /// @param min Smallest allowed value.
    /// @param max Largest allowed value.
    error InvalidFactor(Factor factor, uint256 value, uint256 min, uint256 max);
    /// @notice The asset's decimals are above MAX_DECIMALS.
    /// @param asset The token given.
    /// @param decimals Its decimals.
    error UnsupportedDecimals(address asset, uint8 decimals);
    /// @notice An address argument is the zero address.
    error ZeroAddress();
    /// @notice An amount argument is zero.
    error ZeroAmount();
    /// @notice The amount is too small to mint or seize a single share.
    /// @param asset The market's token.
    /// @param amount The amount given.
    error AmountTooSmall(address asset, uint256 amount);
    /// @notice The market does not hold enough cash.
    /// @param asset The market's token.
    /// @param available Cash held.
    /// @param requested Amount asked for.
    error InsufficientCash(address asset, uint256 available, uint256 requested);
    /// @notice The caller's supply balance is smaller than the amount to withdraw.
    /// @param asset The market's token.
    /// @param available The caller's supply balance, in base units.
    /// @param requested Amount asked for.
    error InsufficientBalance(address asset, uint256 available, uint256 requested);
    /// @notice The market's reserves are smaller than the amount to take.
    /// @param asset The market's token.
    /// @param available Reserves held.
    /// @param requested Amount asked for.
    error InsufficientReserves(address asset, uint256 available, uint256 requested);
    /// @notice The action would leave the account with a health factor below 1e18.
    /// @param healthFactor The health factor the action would leave.
    error InsufficientCollateral(uint256 healthFactor);
    /// @notice The borrower is healthy (health factor >= 1e18) and cannot be liquidated.
    /// @param healthFactor The borrower's health factor.
    error NotLiquidatable(uint256 healthFactor);
    /// @notice The repay amount exceeds the debt.
    /// @param asset The market's token.
    /// @param debt The current debt.
    /// @param amount The amount given.
    error RepayTooLarge(address asset, uint256 debt, uint256 amount);
    /// @notice `borrower` owes nothing in `asset`.
    /// @param borrower The account.
    /// @param asset The market's token.
    error NoDebt(address borrower, address asset);
    /// @notice `borrower` has no supply shares of `asset` to seize.
    /// @param borrower The account.
    /// @param asset The collateral market's token.
    error NothingToSeize(address borrower, address asset);
    /// @notice An account tried to liquidate itself.
    /// @param borrower The account.
    error SelfLiquidation(address borrower);

    // ------------------------------------------------------------ constructor

    /// @notice Deploys an empty pool owned by the deployer.
    /// @param oracle_ The price oracle (immutable).
    constructor(address oracle_) Ownable(msg.sender) {
        if (oracle_ == address(0)) revert ZeroAddress();
        oracle = IPriceOracle(oracle_);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Lists a new market. Owner only.
    /// @dev The asset's decimals are read once and cached. Reverts with MarketAlreadyListed,
    ///      TooManyMarkets, ZeroAddress, InvalidFactor or UnsupportedDecimals.
    /// @param asset The ERC-20 token of the market.
    /// @param rateModel Its interest-rate model.
    /// @param collateralFactor Share of the supply value that counts as collateral, 1e18-scaled,
    ///        at most MAX_COLLATERAL_FACTOR (0 = not usable as collateral).
    /// @param reserveFactor Share of the interest kept as reserves, 1e18-scaled, at most MAX_RESERVE_FACTOR.
    /// @param liquidationBonus Value multiplier liquidators receive when seizing this asset, 1e18-scaled,
    ///        in [MIN_LIQUIDATION_BONUS, MAX_LIQUIDATION_BONUS] (e.g. 1.08e18).
    function listMarket(
        address asset,
        address rateModel,
        uint256 collateralFactor,
        uint256 reserveFactor,
        uint256 liquidationBonus
    ) external onlyOwner {
        if (asset == address(0) || rateModel == address(0)) revert ZeroAddress();
        Market storage m = _markets[asset];
        if (m.listed) revert MarketAlreadyListed(asset);
        if (_marketList.length >= MAX_MARKETS) revert TooManyMarkets(MAX_MARKETS);
        _checkFactor(Factor.Collateral, collateralFactor, 0, MAX_COLLATERAL_FACTOR);
        _checkFactor(Factor.Reserve, reserveFactor, 0, MAX_RESERVE_FACTOR);
        _checkFactor(Factor.LiquidationBonus, liquidationBonus, MIN_LIQUIDATION_BONUS, MAX_LIQUIDATION_BONUS);

        uint8 decimals = IERC20Metadata(asset).decimals();
        if (decimals > MAX_DECIMALS) revert UnsupportedDecimals(asset, decimals);

        m.rateModel = rateModel;
        m.decimals = decimals;
        m.listed = true;
        m.collateralFactor = collateralFactor;
        m.reserveFactor = reserveFactor;
        m.liquidationBonus = liquidationBonus;
        m.borrowIndex = WAD;
        m.accrualBlockNumber = block.number;
        _marketList.push(asset);
        emit MarketListed(asset, rateModel, collateralFactor, reserveFactor, liquidationBonus);
    }

    /// @notice Changes the collateral factor of a market. Owner only.
    /// @dev Lowering it can make accounts liquidatable at once.
    /// @param asset The market's token.
    /// @param collateralFactor The new factor, 1e18-scaled, at most MAX_COLLATERAL_FACTOR.
    function setCollateralFactor(address asset, uint256 collateralFactor) external onlyOwner {
        Market storage m = _listedMarket(asset);
        _checkFactor(Factor.Collateral, collateralFactor, 0, MAX_COLLATERAL_FACTOR);
        uint256 old = m.collateralFactor;
        m.collateralFactor = collateralFactor;
        emit CollateralFactorSet(asset, old, collateralFactor);
    }

    /// @notice Changes the reserve factor of a market. Owner only.
    /// @dev Accrues interest first, so past interest keeps the old factor.
    /// @param asset The market's token.
    /// @param reserveFactor The new factor, 1e18-scaled, at most MAX_RESERVE_FACTOR.
    function setReserveFactor(address asset, uint256 reserveFactor) external onlyOwner {
        Market storage m = _listedMarket(asset);
        _checkFactor(Factor.Reserve, reserveFactor, 0, MAX_RESERVE_FACTOR);
        _accrue(asset, m);
        uint256 old = m.reserveFactor;
        m.reserveFactor = reserveFactor;
        emit ReserveFactorSet(asset, old, reserveFactor);
    }

    /// @notice Sends reserves of a market to `to`. Owner only.
    /// @dev Accrues interest first. Reverts with InsufficientReserves or InsufficientCash.
    /// @param asset The market's token.
    /// @param amount Amount to take, in base units.
    /// @param to Recipient.
    function reduceReserves(address asset, uint256 amount, address to) external onlyOwner nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        Market storage m = _listedMarket(asset);
        _accrue(asset, m);
        uint256 reserves = m.totalReserves;
        if (amount > reserves) revert InsufficientReserves(asset, reserves, amount);
        uint256 cash = m.cash;
        if (amount > cash) revert InsufficientCash(asset, cash, amount);
        m.totalReserves = reserves - amount;
        m.cash = cash - amount;
        IERC20(asset).safeTransfer(to, amount);
        emit ReservesReduced(asset, to, amount);
    }

    // --------------------------------------------------------------- interest

    /// @notice Brings a market's interest up to the current block.
    /// @dev Does nothing when the market was already accrued in this block. Reverts with
    ///      MarketNotListed. Emits InterestAccrued otherwise.
    /// @param asset The market's token.
    function accrueInterest(address asset) public {
        _accrue(asset, _listedMarket(asset));
    }

    // ------------------------------------------------------------ user flows

    /// @notice Supplies `amount` of `asset` (pulled with transferFrom) and mints supply shares.
    /// @dev Needs an allowance. Shares = amount * totalSupplyShares / (cash + totalBorrows - totalReserves),
    ///      rounded down; 1:1 for the first supply. Reverts with ZeroAmount, MarketNotListed or
    ///      AmountTooSmall (0 shares).
    /// @param asset The market's token.
    /// @param amount Tokens to supply, in base units.
    /// @return shares Supply shares minted.
    function supply(address asset, uint256 amount) external nonReentrant returns (uint256 shares) {
        if (amount == 0) revert ZeroAmount();
        Market storage m = _listedMarket(asset);
        _accrue(asset, m);
        shares = _toShares(m, amount, Math.Rounding.Floor);
        if (shares == 0) revert AmountTooSmall(asset, amount);
        m.cash += amount;
        m.totalSupplyShares += shares;
        _positions[msg.sender][asset].supplyShares += shares;
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        emit Supply(msg.sender, asset, amount, shares);
    }

    /// @notice Withdraws `amount` of `asset`, burning the supply shares it is worth (rounded up).
    /// @dev `type(uint256).max` withdraws the whole balance (all shares). When the caller has
    ///      debt, the health factor after the withdrawal must stay >= 1e18. Reverts with
    ///      ZeroAmount, MarketNotListed, InsufficientBalance, InsufficientCash or InsufficientCollateral.
    /// @param asset The market's token.
    /// @param amount Tokens to withdraw, in base units, or `type(uint256).max`.
    /// @return withdrawn Tokens sent to the caller.
    function withdraw(address asset, uint256 amount) external nonReentrant returns (uint256 withdrawn) {
        if (amount == 0) revert ZeroAmount();
        Market storage m = _listedMarket(asset);
        _accrue(asset, m);
        Position storage p = _positions[msg.sender][asset];
        uint256 owned = p.supplyShares;
        uint256 shares;
        if (amount == type(uint256).max) {
            if (owned == 0) revert InsufficientBalance(asset, 0, amount);
            shares = owned;
            withdrawn = _toAssets(m, owned, Math.Rounding.Floor);
        } else {
            shares = _toShares(m, amount, Math.Rounding.Ceil);
            if (shares > owned) revert InsufficientBalance(asset, _toAssets(m, owned, Math.Rounding.Floor), amount);
            withdrawn = amount;
        }
        uint256 cash = m.cash;
        if (withdrawn > cash) revert InsufficientCash(asset, cash, withdrawn);

        p.supplyShares = owned - shares;
        m.totalSupplyShares -= shares;
        m.cash = cash - withdrawn;
        if (_hasDebt(msg.sender)) _requireHealthy(msg.sender);

        if (withdrawn != 0) IERC20(asset).safeTransfer(msg.sender, withdrawn);
        emit Withdraw(msg.sender, asset, withdrawn, shares);
    }

    /// @notice Borrows `amount` of `asset` against the caller's collateral.
    /// @dev The health factor after borrowing must be >= 1e18. Reverts with ZeroAmount,
    ///      MarketNotListed, InsufficientCash or InsufficientCollateral.
    /// @param asset The market's token.
    /// @param amount Tokens to borrow, in base units.
    function borrow(address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Market storage m = _listedMarket(asset);
        _accrue(asset, m);
        uint256 cash = m.cash;
        if (amount > cash) revert InsufficientCash(asset, cash, amount);

        Position storage p = _positions[msg.sender][asset];
        uint256 index = m.borrowIndex;
        p.borrowPrincipal = _debtOf(p, index) + amount;
        p.borrowIndex = index;
        m.totalBorrows += amount;
        m.cash = cash - amount;
        _requireHealthy(msg.sender);

        IERC20(asset).safeTransfer(msg.sender, amount);
        emit Borrow(msg.sender, asset, amount);
    }

    /// @notice Repays the caller's own `asset` debt.
    /// @dev `type(uint256).max` repays the whole debt. Reverts with ZeroAmount, MarketNotListed,
    ///      NoDebt or RepayTooLarge (amount above the debt).
    /// @param asset The market's token.
    /// @param amount Tokens to repay, in base units, or `type(uint256).max`.
    /// @return repaid Tokens pulled from the caller.
    function repay(address asset, uint256 amount) external nonReentrant returns (uint256 repaid) {
        return _repay(msg.sender, asset, amount);
    }

    /// @notice Repays `asset` debt of `borrower` with the caller's tokens.
    /// @dev Same rules as `repay`; `type(uint256).max` repays the borrower's whole debt.
    /// @param borrower The account whose debt is repaid.
    /// @param asset The market's token.
    /// @param amount Tokens to repay, in base units, or `type(uint256).max`.
    /// @return repaid Tokens pulled from the caller.
    function repayFor(address borrower, address asset, uint256 amount)
        external
        nonReentrant
        returns (uint256 repaid)
    {
        if (borrower == address(0)) revert ZeroAddress();
        return _repay(borrower, asset, amount);
    }

    /// @notice Liquidates an unhealthy account: repays part of its `debtAsset` debt and takes
    ///         `collateralAsset` supply shares worth repay * price(debt) / price(collateral) * bonus.
    /// @dev Allowed only while the borrower's health factor is below 1e18 (after accruing both
    ///      markets). The repay is capped at CLOSE_FACTOR (50 %, rounded up) of the debt, and
    ///      further when the borrower's collateral in `collateralAsset` cannot cover the seizure
    ///      (then all its shares are taken and the repay shrinks to match, rounded up). The bonus
    ///      is the collateral market's. The liquidator pays the repay with transferFrom and
    ///      receives the shares (withdraw them when the market has cash). Emits Repay and Liquidate.
    ///      Reverts with ZeroAmount, SelfLiquidation, MarketNotListed, NotLiquidatable, NoDebt,
    ///      NothingToSeize or AmountTooSmall.
    /// @param borrower The account to liquidate.
    /// @param debtAsset The market whose debt is repaid.
    /// @param repayAmount Most debt to repay, in `debtAsset` base units (`type(uint256).max` = the cap).
    /// @param collateralAsset The market whose supply shares are seized.
    /// @return repaid Debt actually repaid (pulled from the caller).
    /// @return seizedShares Supply shares of `collateralAsset` moved to the caller.
    function liquidate(address borrower, address debtAsset, uint256 repayAmount, address collateralAsset)
        external
        nonReentrant
        returns (uint256 repaid, uint256 seizedShares)
    {
        if (repayAmount == 0) revert ZeroAmount();
        if (borrower == msg.sender) revert SelfLiquidation(borrower);
        Market storage dm = _listedMarket(debtAsset);
        Market storage cm = _listedMarket(collateralAsset);
        _accrue(debtAsset, dm);
        _accrue(collateralAsset, cm);

        uint256 hf = _healthFactor(borrower);
        if (hf >= WAD) revert NotLiquidatable(hf);

        Position storage dp = _positions[borrower][debtAsset];
        uint256 index = dm.borrowIndex;
        uint256 debt = _debtOf(dp, index);
        if (debt == 0) revert NoDebt(borrower, debtAsset);

        (repaid, seizedShares) = _liquidationAmounts(borrower, debtAsset, collateralAsset, debt, repayAmount);

        dp.borrowPrincipal = debt - repaid;
        dp.borrowIndex = index;
        dm.totalBorrows = _subFloor(dm.totalBorrows, repaid);
        dm.cash += repaid;
        _positions[borrower][collateralAsset].supplyShares -= seizedShares;
        _positions[msg.sender][collateralAsset].supplyShares += seizedShares;

        IERC20(debtAsset).safeTransferFrom(msg.sender, address(this), repaid);
        emit Repay(msg.sender, borrower, debtAsset, repaid);
        emit Liquidate(
            msg.sender,
            borrower,
            debtAsset,
            collateralAsset,
            repaid,
            seizedShares,
            _toAssets(cm, seizedShares, Math.Rounding.Floor)
        );
    }

    // ------------------------------------------------------------------ views

    /// @notice Health factor of `user`: sum(supply value * collateralFactor) / sum(debt value), 1e18-scaled.
    /// @dev Uses stored market state (no accrual) and current oracle prices. `type(uint256).max`
    ///      without debt. Below 1e18 the account can be liquidated.
    /// @param user The account.
    /// @return The health factor, 1e18-scaled.
    function healthFactor(address user) external view returns (uint256) {
        return _healthFactor(user);
    }

    /// @notice Risk-adjusted collateral and debt of `user` in USD (1e18-scaled).
    /// @dev `collateralValue` is already weighted by the collateral factors (the borrowing
    ///      power); the account can borrow while collateralValue > borrowValue. Debt values round up.
    ///      Uses stored market state and current oracle prices.
    /// @param user The account.
    /// @return collateralValue sum(supply value * collateralFactor) over all markets.
    /// @return borrowValue sum(debt value) over all markets.
    function accountLiquidity(address user) external view returns (uint256 collateralValue, uint256 borrowValue) {
        return _accountLiquidity(user);
    }

    /// @notice Underlying value of `user`'s supply shares in `asset` (stored exchange rate, rounded down).
    /// @param user The account.
    /// @param asset The market's token.
    /// @return The balance in base units.
    function supplyBalance(address user, address asset) external view returns (uint256) {
        return _toAssets(_markets[asset], _positions[user][asset].supplyShares, Math.Rounding.Floor);
    }

    /// @notice Debt of `user` in `asset`: principal * borrowIndex / index at the user's last action.
    /// @dev Uses the stored borrow index (call accrueInterest first for an up-to-date value). Rounded down.
    /// @param user The account.
    /// @param asset The market's token.
    /// @return The debt in base units.
    function borrowBalance(address user, address asset) external view returns (uint256) {
        return _debtOf(_positions[user][asset], _markets[asset].borrowIndex);
    }

    /// @notice Underlying per supply share, 1e18-scaled: (cash + totalBorrows - totalReserves) / totalSupplyShares.
    /// @dev 1e18 while the market has no shares. Stored state, no accrual.
    /// @param asset The market's token.
    /// @return The exchange rate, 1e18-scaled.
    function exchangeRate(address asset) external view returns (uint256) {
        Market storage m = _markets[asset];
        uint256 totalShares = m.totalSupplyShares;
        if (totalShares == 0) return WAD;
        return Math.mulDiv(_suppliedAssets(m), WAD, totalShares);
    }

    /// @notice All stored fields of a market (all zero for an unlisted asset).
    /// @param asset The market's token.
    /// @return The market struct.
    function market(address asset) external view returns (Market memory) {
        return _markets[asset];
    }

    /// @notice Stored position of `user` in `asset`: supply shares, borrow principal and its index.
    /// @param user The account.
    /// @param asset The market's token.
    /// @return The position struct.
    function position(address user, address asset) external view returns (Position memory) {
        return _positions[user][asset];
    }

    /// @notice The listed markets, in listing order.
    /// @return The market tokens.
    function marketList() external view returns (address[] memory) {
        return _marketList;
    }

    /// @notice Current borrow rate per block of a market (stored state), 1e18-scaled.
    /// @param asset The market's token.
    /// @return The borrow rate per block.
    function borrowRatePerBlock(address asset) external view returns (uint256) {
        Market storage m = _listedMarket(asset);
        return IRateModel(m.rateModel).borrowRatePerBlock(m.cash, m.totalBorrows, m.totalReserves);
    }

    /// @notice Current supply rate per block of a market (stored state), 1e18-scaled.
    /// @param asset The market's token.
    /// @return The supply rate per block.
    function supplyRatePerBlock(address asset) external view returns (uint256) {
        Market storage m = _listedMarket(asset);
        return IRateModel(m.rateModel).supplyRatePerBlock(m.cash, m.totalBorrows, m.totalReserves, m.reserveFactor);
    }

    // --------------------------------------------------------------- internal

    function _listedMarket(address asset) internal view returns (Market storage m) {
        m = _markets[asset];
        if (!m.listed) revert MarketNotListed(asset);
    }

    function _checkFactor(Factor factor, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert InvalidFactor(factor, value, min, max);
    }

    function _accrue(address asset, Market storage m) internal {
        uint256 current = block.number;
        uint256 last = m.accrualBlockNumber;
        if (last == current) return;
        uint256 borrows = m.totalBorrows;
        uint256 rate = IRateModel(m.rateModel).borrowRatePerBlock(m.cash, borrows, m.totalReserves);
        uint256 factor = rate * (current - last);
        uint256 interest = Math.mulDiv(borrows, factor, WAD, Math.Rounding.Ceil);
        uint256 index = m.borrowIndex;
        uint256 newIndex = index + Math.mulDiv(index, factor, WAD);
        uint256 newBorrows = borrows + interest;
        m.totalBorrows = newBorrows;
        m.totalReserves += Math.mulDiv(interest, m.reserveFactor, WAD);
        m.borrowIndex = newIndex;
        m.accrualBlockNumber = current;
        emit InterestAccrued(asset, interest, newIndex, newBorrows);
    }

    function _repay(address borrower, address asset, uint256 amount) internal returns (uint256 repaid) {
        if (amount == 0) revert ZeroAmount();
        Market storage m = _listedMarket(asset);
        _accrue(asset, m);
        Position storage p = _positions[borrower][asset];
        uint256 index = m.borrowIndex;
        uint256 debt = _debtOf(p, index);
        if (debt == 0) revert NoDebt(borrower, asset);
        if (amount == type(uint256).max) {
            repaid = debt;
        } else {
            if (amount > debt) revert RepayTooLarge(asset, debt, amount);
            repaid = amount;
        }
        p.borrowPrincipal = debt - repaid;
        p.borrowIndex = index;
        m.totalBorrows = _subFloor(m.totalBorrows, repaid);
        m.cash += repaid;
        IERC20(asset).safeTransferFrom(msg.sender, address(this), repaid);
        emit Repay(msg.sender, borrower, asset, repaid);
    }

    /// @dev Repay and seized shares of a liquidation; see `liquidate`.
    function _liquidationAmounts(
        address borrower,
        address debtAsset,
        address collateralAsset,
        uint256 debt,
        uint256 repayAmount
    ) internal view returns (uint256 repaid, uint256 seizedShares) {
        Market storage cm = _markets[collateralAsset];
        uint256 available = _positions[borrower][collateralAsset].supplyShares;
        if (available == 0) revert NothingToSeize(borrower, collateralAsset);

        uint256 maxRepay = Math.mulDiv(debt, CLOSE_FACTOR, WAD, Math.Rounding.Ceil);
        repaid = repayAmount < maxRepay ? repayAmount : maxRepay;

        // collateral per unit of debt: price(debt) * bonus * 10^collDec / (price(coll) * 1e18 * 10^debtDec)
        uint256 num = oracle.getPrice(debtAsset) * cm.liquidationBonus * (10 ** cm.decimals);
        uint256 den = oracle.getPrice(collateralAsset) * WAD * (10 ** _markets[debtAsset].decimals);

        seizedShares = _toShares(cm, Math.mulDiv(repaid, num, den), Math.Rounding.Floor);
        if (seizedShares > available) {
            seizedShares = available;
            repaid = Math.mulDiv(_toAssets(cm, available, Math.Rounding.Floor), den, num, Math.Rounding.Ceil);
            if (repaid == 0) revert NothingToSeize(borrower, collateralAsset);
        }
        if (seizedShares == 0) revert AmountTooSmall(debtAsset, repayAmount);
    }

    /// @dev cash + totalBorrows - totalReserves: what the suppliers own.
    function _suppliedAssets(Market storage m) internal view returns (uint256) {
        return m.cash + m.totalBorrows - m.totalReserves;
    }

    function _toShares(Market storage m, uint256 amount, Math.Rounding rounding) internal view returns (uint256) {
        uint256 totalShares = m.totalSupplyShares;
        if (totalShares == 0) return amount;
        return Math.mulDiv(amount, totalShares, _suppliedAssets(m), rounding);
    }

    function _toAssets(Market storage m, uint256 shares, Math.Rounding rounding) internal view returns (uint256) {
        uint256 totalShares = m.totalSupplyShares;
        if (totalShares == 0) return 0;
        return Math.mulDiv(shares, _suppliedAssets(m), totalShares, rounding);
    }

    function _debtOf(Position storage p, uint256 marketIndex) internal view returns (uint256) {
        uint256 principal = p.borrowPrincipal;
        if (principal == 0) return 0;
        return Math.mulDiv(principal, marketIndex, p.borrowIndex);
    }

    function _subFloor(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : 0;
    }

    function _hasDebt(address user) internal view returns (bool) {
        uint256 count = _marketList.length;
        for (uint256 i = 0; i < count; ++i) {
            if (_positions[user][_marketList[i]].borrowPrincipal != 0) return true;
        }
        return false;
    }

    function _requireHealthy(address user) internal view {
        uint256 hf = _healthFactor(user);
        if (hf < WAD) revert InsufficientCollateral(hf);
    }

    function _healthFactor(address user) internal view returns (uint256) {
        (uint256 collateralValue, uint256 borrowValue) = _accountLiquidity(user);
        if (borrowValue == 0) return type(uint256).max;
        return Math.mulDiv(collateralValue, WAD, borrowValue);
    }

    /// @dev Reads only the markets where `user` has shares or debt (and skips pricing supply
    ///      in markets with a zero collateral factor).
    function _accountLiquidity(address user) internal view returns (uint256 collateralValue, uint256 borrowValue) {
        uint256 count = _marketList.length;
        for (uint256 i = 0; i < count; ++i) {
            address asset = _marketList[i];
            Position storage p = _positions[user][asset];
            uint256 shares = p.supplyShares;
            uint256 principal = p.borrowPrincipal;
            if (principal == 0 && shares == 0) continue;
            Market storage m = _markets[asset];
            uint256 cf = m.collateralFactor;
            if (principal == 0 && cf == 0) continue;
            uint256 price = oracle.getPrice(asset);
            uint256 unit = 10 ** m.decimals;
            if (shares != 0 && cf != 0) {
                uint256 value = Math.mulDiv(_toAssets(m, shares, Math.Rounding.Floor), price, unit);
                collateralValue += Math.mulDiv(value, cf, WAD);
            }
            if (principal != 0) {
                borrowValue += Math.mulDiv(_debtOf(p, m.borrowIndex), price, unit, Math.Rounding.Ceil);
            }
        }
    }
}
