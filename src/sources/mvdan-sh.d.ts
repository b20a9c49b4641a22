/** The small part of mvdan-sh (mvdan/sh's syntax package compiled to JavaScript) that oneproc uses. */
declare module 'mvdan-sh' {
  export interface Pos {
    Offset(): number;
    Line(): number;
  }
  export interface Node {
    Pos(): Pos;
    End(): Pos;
    // biome-ignore lint/suspicious/noExplicitAny: the syntax tree's fields vary by node type
    [field: string]: any;
  }
  export const syntax: {
    NewParser(...options: unknown[]): { Parse(src: string, name: string): Node };
    NodeType(node: Node): string;
    Walk(node: Node, visit: (node: Node | null) => boolean): void;
  };
}
