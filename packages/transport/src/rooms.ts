/**
 * Room membership: room → members and member → rooms, both O(1) to look up, join and leave.
 * Members are connections; a dead member is removed from every room at once (`removeMember`),
 * and the server refuses joins for connections that have ended, so nothing leaks.
 */

/**
 * The two-way index of rooms and their members.
 *
 * @example
 * ```ts
 * const rooms = new Rooms<Conn>();
 * rooms.join(conn, 'lobby'); // true
 * rooms.members('lobby'); // Set { conn }
 * rooms.removeMember(conn); // on death
 * ```
 */
export class Rooms<TMember extends object> {
  private readonly byRoom = new Map<string, Set<TMember>>();
  private readonly byMember = new Map<TMember, Set<string>>();

  /** Adds the member to the room; false if it was already in. */
  join(member: TMember, room: string): boolean {
    let members = this.byRoom.get(room);
    if (!members) this.byRoom.set(room, (members = new Set()));
    if (members.has(member)) return false;
    members.add(member);
    let rooms = this.byMember.get(member);
    if (!rooms) this.byMember.set(member, (rooms = new Set()));
    rooms.add(room);
    return true;
  }

  /** Removes the member from the room; false if it was not in. */
  leave(member: TMember, room: string): boolean {
    const members = this.byRoom.get(room);
    if (!members?.delete(member)) return false;
    if (members.size === 0) this.byRoom.delete(room);
    const rooms = this.byMember.get(member);
    rooms?.delete(room);
    if (rooms?.size === 0) this.byMember.delete(member);
    return true;
  }

  /** Removes the member from every room it is in; returns those rooms. */
  removeMember(member: TMember): string[] {
    const rooms = this.byMember.get(member);
    if (!rooms) return [];
    this.byMember.delete(member);
    for (const room of rooms) {
      const members = this.byRoom.get(room);
      members?.delete(member);
      if (members?.size === 0) this.byRoom.delete(room);
    }
    return [...rooms];
  }

  /** The room's members (empty if none); do not mutate. */
  members(room: string): ReadonlySet<TMember> {
    return this.byRoom.get(room) ?? EMPTY;
  }

  /** The rooms a member is in. */
  roomsOf(member: TMember): readonly string[] {
    const rooms = this.byMember.get(member);
    return rooms ? [...rooms] : [];
  }

  has(member: TMember, room: string): boolean {
    return this.byRoom.get(room)?.has(member) ?? false;
  }

  /** Rooms with at least one member. */
  get roomCount(): number {
    return this.byRoom.size;
  }

  /** Members in at least one room. */
  get memberCount(): number {
    return this.byMember.size;
  }

  /** Every room and its size. */
  sizes(): Map<string, number> {
    return new Map([...this.byRoom].map(([room, members]) => [room, members.size]));
  }
}

const EMPTY: ReadonlySet<never> = new Set();
